import type { InteractionStore } from './interaction-store.ts';
import { UsageAccumulator, USAGE_RECORD_FIELDS, type UsageRow } from './usage-summary.ts';

export interface UsageQuery {
  profileIds: readonly string[];
  /** ISO date or time; inclusive. */
  from?: string;
  /** ISO date or time; inclusive (a date covers its whole day). */
  to?: string;
}

/**
 * Usage by profile, model and day over DynamoDB: one query per profile (partition key), reading
 * only the fields a summary needs.
 */
export async function loadUsageSummary(store: InteractionStore, query: UsageQuery): Promise<UsageRow[]> {
  const usage = new UsageAccumulator();
  for (const profileId of query.profileIds) {
    for await (const record of store.scan(profileId, { from: query.from, to: query.to, fields: USAGE_RECORD_FIELDS })) {
      usage.add(record);
    }
  }
  return usage.result();
}
