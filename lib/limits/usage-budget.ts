import type { Logger } from '../observability/logger.ts';
import { headerAmount, unitsNearest } from './counter-units.ts';
import type { Reservation, UsageLimiter } from './usage-limiter.ts';

/** What a request really used, read from its interaction record. */
export interface ActualUsage {
  tokens: number;
  costUsd: number;
}

/** Response headers per limit: what is left of the window after this request's reservation, and when it resets. */
export const LIMIT_REMAINING_HEADER = 'x-sluice-limit-remaining-';
export const LIMIT_RESET_HEADER = 'x-sluice-limit-reset-';

/** The reservations one admitted request holds, across its subjects' limits, until it settles. */
export class UsageBudget {
  readonly reservations: readonly Reservation[];
  private readonly limiter: UsageLimiter;
  private readonly requestId: string;
  private settled = false;

  constructor(limiter: UsageLimiter, reservations: readonly Reservation[], requestId: string) {
    this.limiter = limiter;
    this.reservations = reservations;
    this.requestId = requestId;
  }

  /**
   * `x-sluice-limit-remaining-<limit id>` (dollars with six decimals, or tokens) and
   * `x-sluice-limit-reset-<limit id>` (ISO time). When a profile and a virtual key both have a
   * limit of that id, the smaller remainder is reported.
   */
  headers(): Record<string, string> {
    const smallest = new Map<string, Reservation>();
    for (const reservation of this.reservations) {
      const current = smallest.get(reservation.limit.id);
      const left = (r: Reservation) => r.max - r.usedAfter;
      if (!current || left(reservation) < left(current)) smallest.set(reservation.limit.id, reservation);
    }
    const headers: Record<string, string> = {};
    for (const [id, reservation] of smallest) {
      headers[`${LIMIT_REMAINING_HEADER}${id}`] = headerAmount(reservation.limit.metric, reservation.max - reservation.usedAfter);
      headers[`${LIMIT_RESET_HEADER}${id}`] = reservation.window.end.toISOString();
    }
    return headers;
  }

  /**
   * Replaces each estimate by the true figure (a failed call used nothing, and gets its
   * reservation back). Never throws: a failed settlement is logged.
   */
  async settle(actual: ActualUsage, logger: Logger): Promise<void> {
    if (this.settled) return;
    this.settled = true;
    await Promise.all(
      this.reservations.map(async (reservation) => {
        const metric = reservation.limit.metric;
        const used = unitsNearest(metric, metric === 'cost_usd' ? actual.costUsd : actual.tokens);
        try {
          await this.limiter.adjust(reservation, used - reservation.reserved);
        } catch (error) {
          logger.error('usage limit settlement failed', {
            requestId: this.requestId,
            counterId: reservation.counterId,
            delta: used - reservation.reserved,
            error: error instanceof Error ? error.message : String(error),
          });
        }
      }),
    );
  }
}

/** A record's true usage for settlement: input plus output tokens, and its cost (0 when unpriced). */
export function actualUsage(record: { inputTokens?: number; outputTokens?: number; costUsd?: number }): ActualUsage {
  return { tokens: (record.inputTokens ?? 0) + (record.outputTokens ?? 0), costUsd: record.costUsd ?? 0 };
}
