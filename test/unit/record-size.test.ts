import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Interaction } from '../../lib/interactions/interaction.ts';
import { fitRecord, MAX_RECORD_BYTES, MAX_RECORD_TEXT } from '../../lib/interactions/record-size.ts';
import { sampleRecord as record } from '../support/records.ts';

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
    // Sized up to the limits, so that texts are clipped and decisions left out in many of the runs.
    const text = fc.string({ maxLength: 2 * MAX_RECORD_TEXT, size: 'max' });
    const texts = (value: unknown): string[] =>
      typeof value === 'string' ? [value] : value !== null && typeof value === 'object' ? Object.values(value).flatMap(texts) : [];
    fc.assert(
      fc.property(
        fc.array(fc.record({ callId: text, toolName: text, trust: fc.constantFrom('trusted', 'untrusted') }), { maxLength: 400, size: 'max' }),
        fc.array(fc.record({ id: text, name: text, reason: text }), { maxLength: 400, size: 'max' }),
        text,
        (toolResults, blockedToolCalls, model) => {
          const given = record({
            model,
            policy: { contextUntrusted: true, untrustedByHeader: false, toolResults, blockedToolCalls } as Interaction['policy'],
          });
          const fitted = fitRecord(given);
          expect(bytes(fitted)).toBeLessThanOrEqual(MAX_RECORD_BYTES);
          expect(Math.max(...texts(fitted).map((t) => t.length))).toBeLessThanOrEqual(MAX_RECORD_TEXT + 1);
          const kept = fitted.policy!.toolResults.length + fitted.policy!.blockedToolCalls.length;
          expect(kept + (fitted.policy!.omitted ?? 0)).toBe(toolResults.length + blockedToolCalls.length);
          expect(given.policy!.toolResults).toBe(toolResults);
          expect(given.model).toBe(model);
        },
      ),
      // A failing case is reported as found: shrinking records this large would take minutes.
      { numRuns: 25, endOnFailure: true },
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
