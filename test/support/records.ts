import type { Interaction } from '../../lib/interactions/interaction.ts';

/** A complete interaction record for unit tests, with the fields a test cares about overridden. */
export function sampleRecord(overrides: Partial<Interaction> = {}): Interaction {
  return {
    profileId: 'default',
    sk: '2025-03-10T14:25:00.000Z#i-1',
    id: 'i-1',
    requestId: 'req-1',
    createdAt: '2025-03-10T14:25:00.000Z',
    provider: 'openai',
    operation: 'chat',
    method: 'POST',
    path: '/v1/openai/chat/completions',
    model: 'gpt-4o-mini',
    responseModel: 'gpt-4o-mini-2024-07-18',
    stream: false,
    status: 200,
    outcome: 'success',
    finishReason: 'stop',
    latencyMs: 120.5,
    timeToFirstByteMs: 80.25,
    requestBytes: 100,
    responseBytes: 400,
    inputTokens: 12,
    outputTokens: 7,
    costUsd: 0.0000060,
    costStatus: 'priced',
    pricedModel: 'gpt-4o-mini',
    expiresAt: 1_800_000_000,
    ...overrides,
  };
}

/** The i-th of a run of sample records: its own id and sort key, the rest as `overrides` say. */
export function numberedRecord(i: number, overrides: Partial<Interaction> = {}): Interaction {
  return sampleRecord({ id: `i-${i}`, sk: `2025-03-10T14:25:00.000Z#i-${i}`, ...overrides });
}
