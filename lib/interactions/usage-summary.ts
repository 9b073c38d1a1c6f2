import type { Interaction } from './interaction.ts';

/** The fields of a record a usage summary reads. */
export type UsageRecord = Pick<
  Interaction,
  | 'profileId'
  | 'createdAt'
  | 'model'
  | 'responseModel'
  | 'outcome'
  | 'inputTokens'
  | 'outputTokens'
  | 'cacheReadTokens'
  | 'cacheWriteTokens'
  | 'reasoningTokens'
  | 'costUsd'
  | 'costStatus'
  | 'tokensEstimated'
>;

export const USAGE_RECORD_FIELDS: ReadonlyArray<keyof UsageRecord> = [
  'profileId',
  'createdAt',
  'model',
  'responseModel',
  'outcome',
  'inputTokens',
  'outputTokens',
  'cacheReadTokens',
  'cacheWriteTokens',
  'reasoningTokens',
  'costUsd',
  'costStatus',
  'tokensEstimated',
];

/** Usage of one profile and model on one day (UTC). */
export interface UsageRow {
  /** `YYYY-MM-DD`, UTC. */
  day: string;
  profileId: string;
  /** The model the client asked for (else the one that answered, else `unknown`). */
  model: string;
  requests: number;
  /** Requests that ended in an error (Sluice's or the upstream's). */
  errors: number;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  reasoningTokens: number;
  /** Sum of the priced requests' costs, in US dollars. */
  costUsd: number;
  /** Requests that used tokens but have no cost (a model the price catalog does not know, a self-hosted provider). */
  unpricedRequests: number;
  /** Requests whose token counts are estimates (the provider reported none). */
  estimatedRequests: number;
}

const roundUsd = (usd: number) => Math.round(usd * 1e12) / 1e12;

function emptyRow(day: string, profileId: string, model: string): UsageRow {
  return {
    day,
    profileId,
    model,
    requests: 0,
    errors: 0,
    inputTokens: 0,
    outputTokens: 0,
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
    reasoningTokens: 0,
    costUsd: 0,
    unpricedRequests: 0,
    estimatedRequests: 0,
  };
}

/** Adds records up by day, profile and model, one at a time (so a long range never sits in memory). */
export class UsageAccumulator {
  private readonly rows = new Map<string, UsageRow>();

  add(record: UsageRecord): void {
    const day = record.createdAt.slice(0, 10);
    const model = record.model ?? record.responseModel ?? 'unknown';
    const key = JSON.stringify([day, record.profileId, model]);
    let row = this.rows.get(key);
    if (!row) this.rows.set(key, (row = emptyRow(day, record.profileId, model)));
    row.requests += 1;
    if (record.outcome === 'error' || record.outcome === 'upstream_error') row.errors += 1;
    row.inputTokens += record.inputTokens ?? 0;
    row.outputTokens += record.outputTokens ?? 0;
    row.cacheReadTokens += record.cacheReadTokens ?? 0;
    row.cacheWriteTokens += record.cacheWriteTokens ?? 0;
    row.reasoningTokens += record.reasoningTokens ?? 0;
    if (record.costUsd !== undefined) row.costUsd = roundUsd(row.costUsd + record.costUsd);
    else if (record.inputTokens !== undefined || record.outputTokens !== undefined) row.unpricedRequests += 1;
    if (record.tokensEstimated) row.estimatedRequests += 1;
  }

  /** Sorted by day, then profile, then model. */
  result(): UsageRow[] {
    const compare = (a: UsageRow, b: UsageRow) =>
      a.day.localeCompare(b.day) || a.profileId.localeCompare(b.profileId) || a.model.localeCompare(b.model);
    return [...this.rows.values()].sort(compare);
  }
}

/**
 * Usage by profile, model and day (UTC), from interaction records, sorted by day, then profile,
 * then model. Pure: the caller chooses the records (see loadUsageSummary for DynamoDB).
 */
export function summarizeUsage(records: Iterable<UsageRecord>): UsageRow[] {
  const accumulator = new UsageAccumulator();
  for (const record of records) accumulator.add(record);
  return accumulator.result();
}

/** The sum of rows (for a total line): day, profile and model are `*`. */
export function totalUsage(rows: Iterable<UsageRow>): UsageRow {
  const total = emptyRow('*', '*', '*');
  for (const row of rows) {
    for (const key of Object.keys(total) as Array<keyof UsageRow>) {
      if (typeof total[key] === 'number') (total[key] as number) += row[key] as number;
    }
  }
  total.costUsd = roundUsd(total.costUsd);
  return total;
}
