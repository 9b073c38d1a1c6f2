import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Interaction } from '../../lib/interactions/interaction.ts';
import { fitRecord, MAX_RECORD_BYTES, MAX_RECORD_TEXT } from '../../lib/interactions/record-size.ts';

function record(overrides: Partial<Interaction> = {}): Interaction {
  return {
    profileId: 'default',
    sk: '2026-11-21T00:00:00.000Z#id-1',
    id: 'id-1',
    requestId: 'req-1',
    createdAt: '2026-11-21T00:00:00.000Z',
    provider: 'openai',
    operation: 'chat',
    method: 'POST',
    path: '/v1/openai/chat/completions',
    model: 'gpt-4o-mini',
    stream: false,
    status: 200,
    outcome: 'success',
    latencyMs: 1.5,
    requestBytes: 100,
    responseBytes: 200,
    costStatus: 'priced',
    costUsd: 0.001,
    expiresAt: 1_800_000_000,
    ...overrides,
  };
}

const bytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value));

describe('fitRecord', () => {
  it('returns a record with no long text as it is, without copying it', () => {
    const small = record({ policy: { contextUntrusted: false, untrustedByHeader: false, toolResults: [], blockedToolCalls: [] } });
    expect(fitRecord(small)).toBe(small);
  });

  it('clips every text over the limit, however deep, and leaves the record it was given unchanged', () => {
    const long = 'x'.repeat(MAX_RECORD_TEXT + 10);
    const given = record({
      model: long,
      error: { kind: 'upstream', message: long },
      attempts: [{ provider: 'openai', model: long, status: 500 }],
    });
    const before = structuredClone(given);
    const fitted = fitRecord(given);
    expect(fitted.model).toBe(`${'x'.repeat(MAX_RECORD_TEXT)}…`);
    expect(fitted.error?.message).toBe(`${'x'.repeat(MAX_RECORD_TEXT)}…`);
    expect(fitted.attempts?.[0]?.model).toBe(`${'x'.repeat(MAX_RECORD_TEXT)}…`);
    expect(fitted.path).toBe(given.path);
    expect(given).toEqual(before);
  });

  it('keeps any record under the item limit, whatever its texts and decisions', () => {
    const text = fc.string({ maxLength: 2 * MAX_RECORD_TEXT });
    fc.assert(
      fc.property(
        fc.array(fc.record({ callId: text, toolName: text, trust: fc.constantFrom('trusted', 'untrusted') }), { maxLength: 400 }),
        fc.array(fc.record({ id: text, name: text, reason: text }), { maxLength: 400 }),
        text,
        (toolResults, blockedToolCalls, model) => {
          const given = record({
            model,
            policy: { contextUntrusted: true, untrustedByHeader: false, toolResults, blockedToolCalls } as Interaction['policy'],
          });
          const fitted = fitRecord(given);
          expect(bytes(fitted)).toBeLessThanOrEqual(MAX_RECORD_BYTES);
          const kept = fitted.policy!.toolResults.length + fitted.policy!.blockedToolCalls.length;
          expect(kept + (fitted.policy!.omitted ?? 0)).toBe(toolResults.length + blockedToolCalls.length);
          expect(given.policy!.toolResults).toBe(toolResults);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('leaves out decisions only when the record would not fit, blocked calls kept first', () => {
    const reason = 'r'.repeat(MAX_RECORD_TEXT);
    const blockedToolCalls = Array.from({ length: 200 }, (_, i) => ({ id: `call-${i}`, name: 'send_email', reason }));
    const toolResults = Array.from({ length: 400 }, (_, i) => ({ callId: `call-${i}`, toolName: 'fetch', trust: 'untrusted' as const, policyId: reason }));
    const fitted = fitRecord(record({ policy: { contextUntrusted: true, untrustedByHeader: false, toolResults, blockedToolCalls } }));
    expect(bytes(fitted)).toBeLessThanOrEqual(MAX_RECORD_BYTES);
    expect(fitted.policy!.omitted).toBeGreaterThan(0);
    expect(fitted.policy!.blockedToolCalls[0]).toEqual(blockedToolCalls[0]);
    expect(fitted.policy!.blockedToolCalls.length + fitted.policy!.toolResults.length + fitted.policy!.omitted!).toBe(600);
  });
});
