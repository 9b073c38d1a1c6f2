import type { Logger } from '../observability/logger.ts';
import { estimateCall } from './call-estimate.ts';
import { unitsUp } from './counter-units.ts';
import type { SubjectLimits } from './limit.ts';
import { UsageBudget } from './usage-budget.ts';
import type { Reservation, UsageLimiter } from './usage-limiter.ts';

export interface UsageReservationRequest {
  /** Every subject whose limits apply: the profile's, and the virtual key's when the call uses one. */
  subjects: ReadonlyArray<SubjectLimits & { invalid?: readonly string[] }>;
  provider: string;
  model: string | undefined;
  operation: string;
  body: Buffer;
  requestId: string;
  now?: Date;
}

/**
 * Before a call goes upstream: reserves its estimated usage on every limit of every subject, all
 * or nothing. Resolves to the budget to settle once the call has ended (undefined when no limit
 * applies); rejects with a `limit_exceeded` SluiceError naming the limit that would be passed.
 */
export async function reserveUsage(
  limiter: UsageLimiter,
  logger: Logger,
  request: UsageReservationRequest,
): Promise<UsageBudget | undefined> {
  for (const { subject, invalid } of request.subjects) {
    if (invalid?.length) {
      logger.warn('ignoring invalid usage limits', { requestId: request.requestId, subject, invalid });
    }
  }
  const targets = request.subjects.flatMap(({ subject, limits }) => limits.map((limit) => ({ subject, limit })));
  // A call that names no model (listing models) uses no tokens.
  if (targets.length === 0 || request.model === undefined) return undefined;
  const now = request.now ?? new Date();
  const estimate = estimateCall({ ...request, at: now });
  const results = await Promise.allSettled(
    targets.map(({ subject, limit }) =>
      limiter.reserve(subject, limit, unitsUp(limit.metric, limit.metric === 'cost_usd' ? estimate.costUsd : estimate.tokens), now),
    ),
  );
  const held = results.filter((r): r is PromiseFulfilledResult<Reservation> => r.status === 'fulfilled').map((r) => r.value);
  const refused = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (refused) {
    const release = new UsageBudget(limiter, held, request.requestId);
    await release.settle({ tokens: 0, costUsd: 0 }, logger);
    throw refused.reason;
  }
  return new UsageBudget(limiter, held, request.requestId);
}
