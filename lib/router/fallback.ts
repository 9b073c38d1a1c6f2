import { asSluiceError } from '../errors/sluice-error.ts';
import type { RoutingAttempt, RoutingReport } from '../interactions/interaction.ts';
import { redact } from '../proxy/redact.ts';
import { readBody } from '../upstream/upstream-client.ts';
import type { AttemptPlan, ServedAttempt } from './attempt.ts';
import { readNativeError } from './upstream-errors.ts';

/** Failures before an answer's first byte that another provider may not share. */
const RETRIABLE_CODES = new Set(['upstream_unreachable', 'upstream_connect_timeout', 'upstream_timeout']);

export const isRetriableStatus = (status: number): boolean => status === 429 || status >= 500;

async function describeFailure(served: ServedAttempt, secrets: Array<string | undefined>): Promise<string> {
  try {
    const body = await readBody(served.response, 64 * 1024);
    return redact(`HTTP ${served.response.status}: ${readNativeError(body, served.response.headers).message}`, secrets);
  } catch {
    served.response.cancel();
    return `HTTP ${served.response.status}`;
  }
}

/**
 * Tries the plans in order. A connection failure, a 429 or a 5xx (always before the first byte of
 * an answer reaches the client) moves on to the next plan; the last plan's answer, good or bad, is
 * the client's. Every attempt is written into the report the interaction record carries.
 */
export async function sendWithFallbacks(
  plans: readonly AttemptPlan[],
  send: (plan: AttemptPlan) => Promise<ServedAttempt>,
  report: RoutingReport,
): Promise<ServedAttempt> {
  for (const [index, plan] of plans.entries()) {
    const last = index === plans.length - 1;
    const attempt: RoutingAttempt = { provider: plan.target.id, model: plan.ref.id };
    report.attempts.push(attempt);
    report.provider = plan.target.id;
    report.model = plan.ref.model;
    let served: ServedAttempt;
    try {
      served = await send(plan);
    } catch (caught) {
      const error = asSluiceError(caught);
      attempt.error = redact(error.message, [plan.apiKey]);
      if (!last && error.code !== undefined && RETRIABLE_CODES.has(error.code)) continue;
      throw caught;
    }
    attempt.status = served.response.status;
    if (last || !isRetriableStatus(served.response.status)) return served;
    attempt.error = await describeFailure(served, [plan.apiKey]);
  }
  throw new Error('sendWithFallbacks needs at least one plan');
}
