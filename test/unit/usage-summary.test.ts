import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Interaction } from '../../lib/interactions/interaction.ts';
import { InteractionStore } from '../../lib/interactions/interaction-store.ts';
import { loadUsageSummary } from '../../lib/interactions/usage-query.ts';
import { summarizeUsage, totalUsage } from '../../lib/interactions/usage-summary.ts';
import { silentLogger, startEmbeddedStorage, type EmbeddedStorage } from '../support/embedded-storage.ts';
import { sampleRecord } from '../support/records.ts';

let n = 0;
function record(createdAt: string, overrides: Partial<Interaction> = {}): Interaction {
  const id = `i-${++n}`;
  return sampleRecord({ id, createdAt, sk: `${createdAt}#${id}`, ...overrides });
}

describe('summarizeUsage', () => {
  const records = [
    record('2025-03-10T09:00:00.000Z', { inputTokens: 100, outputTokens: 10, cacheReadTokens: 40, costUsd: 0.25 }),
    record('2025-03-10T23:59:59.999Z', { inputTokens: 50, outputTokens: 5, reasoningTokens: 2, costUsd: 0.5 }),
    record('2025-03-10T12:00:00.000Z', { model: 'claude-sonnet-4-0', provider: 'anthropic', inputTokens: 10, outputTokens: 1, cacheWriteTokens: 3, costUsd: 0.1 }),
    record('2025-03-10T12:00:00.000Z', { profileId: 'team-a', inputTokens: 1, outputTokens: 1, costUsd: 0.125 }),
    record('2025-03-11T00:00:00.000Z', { inputTokens: 7, outputTokens: 3, costUsd: undefined, costStatus: 'unknown_model', tokensEstimated: true }),
    record('2025-03-11T01:00:00.000Z', { status: 502, outcome: 'upstream_error', inputTokens: undefined, outputTokens: undefined, costUsd: undefined, costStatus: 'no_usage' }),
    record('2025-03-11T02:00:00.000Z', { model: undefined, responseModel: undefined, inputTokens: undefined, outputTokens: undefined, costUsd: undefined, costStatus: 'no_usage', outcome: 'error', status: 400 }),
  ];

  it('adds up by day (UTC), profile and model, sorted', () => {
    const rows = summarizeUsage(records);
    expect(rows.map((r) => [r.day, r.profileId, r.model, r.requests])).toEqual([
      ['2025-03-10', 'default', 'claude-sonnet-4-0', 1],
      ['2025-03-10', 'default', 'gpt-4o-mini', 2],
      ['2025-03-10', 'team-a', 'gpt-4o-mini', 1],
      ['2025-03-11', 'default', 'gpt-4o-mini', 2],
      ['2025-03-11', 'default', 'unknown', 1],
    ]);
    expect(rows[1]).toEqual({
      day: '2025-03-10',
      profileId: 'default',
      model: 'gpt-4o-mini',
      requests: 2,
      errors: 0,
      inputTokens: 150,
      outputTokens: 15,
      cacheReadTokens: 40,
      cacheWriteTokens: 0,
      reasoningTokens: 2,
      costUsd: 0.75,
      unpricedRequests: 0,
      estimatedRequests: 0,
    });
    expect(rows[0]).toMatchObject({ cacheWriteTokens: 3, costUsd: 0.1 });
    expect(rows[3]).toMatchObject({ requests: 2, errors: 1, inputTokens: 7, unpricedRequests: 1, estimatedRequests: 1, costUsd: 0 });
    expect(rows[4]).toMatchObject({ requests: 1, errors: 1, unpricedRequests: 0 });
  });

  it('totals the rows', () => {
    const total = totalUsage(summarizeUsage(records));
    expect(total).toMatchObject({ day: '*', profileId: '*', model: '*', requests: 7, errors: 2, inputTokens: 168, outputTokens: 20, costUsd: 0.975 });
  });

  it('is empty for no records', () => {
    expect(summarizeUsage([])).toEqual([]);
  });
});

describe('loadUsageSummary over DynamoDB', () => {
  let storage: EmbeddedStorage;
  let store: InteractionStore;

  beforeAll(async () => {
    storage = await startEmbeddedStorage();
    store = new InteractionStore(storage.db, storage.config.storage.tables.interactions, 1, silentLogger);
  });

  afterAll(() => storage?.close());

  it('reads every page of each profile in the date range', async () => {
    const written: Interaction[] = [];
    // enough records to span several query pages once the 1 MB page limit applies to large items
    for (let i = 0; i < 60; i++) {
      const day = `2025-04-${String(1 + (i % 3)).padStart(2, '0')}`;
      written.push(record(`${day}T10:00:${String(i).padStart(2, '0')}.000Z`, { profileId: i % 2 ? 'team-a' : 'team-b', path: 'x'.repeat(40_000) }));
    }
    written.push(record('2025-05-01T00:00:00.000Z', { profileId: 'team-a' }));
    for (const item of written) await store.write(item);

    const rows = await loadUsageSummary(store, { profileIds: ['team-a', 'team-b'], from: '2025-04-01', to: '2025-04-02' });
    expect(rows.map((r) => [r.day, r.profileId, r.requests])).toEqual([
      ['2025-04-01', 'team-a', 10],
      ['2025-04-01', 'team-b', 10],
      ['2025-04-02', 'team-a', 10],
      ['2025-04-02', 'team-b', 10],
    ]);
    expect(totalUsage(rows).inputTokens).toBe(40 * 12);
    const everything = await loadUsageSummary(store, { profileIds: ['team-a'] });
    expect(totalUsage(everything).requests).toBe(31);
  });
});
