import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SseTap } from '../../lib/streaming/sse-events.ts';

const event = fc
  .record({
    name: fc.option(fc.constantFrom('message', 'delta', 'ping'), { nil: undefined }),
    data: fc.string({ unit: fc.constantFrom('a', 'b', '{', '}', '"', ' ', 'é', '日'), maxLength: 30 }),
  })
  .map(({ name, data }) => ({ name, data }));
const newline = fc.constantFrom('\n', '\r\n', '\r');

function render(events: Array<{ name?: string; data: string }>, eol: string): string {
  return events.map((e) => `${e.name ? `event: ${e.name}${eol}` : ''}data: ${e.data}${eol}${eol}`).join('');
}

function split(bytes: Buffer, cuts: number[]): Buffer[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const parts: Buffer[] = [];
  let start = 0;
  for (const point of points) {
    parts.push(bytes.subarray(start, point));
    start = point;
  }
  parts.push(bytes.subarray(start));
  return parts;
}

describe('SseTap', () => {
  it('passes every chunk through unchanged and sees every event, however the stream is cut', () => {
    fc.assert(
      fc.property(fc.array(event, { maxLength: 12 }), newline, fc.array(fc.nat(), { maxLength: 20 }), (events, eol, cuts) => {
        const bytes = Buffer.from(render(events, eol));
        const seen: string[] = [];
        const tap = new SseTap({ onEvent: (e) => seen.push(e.data) });
        const out: Buffer[] = [];
        for (const part of split(bytes, cuts)) {
          const forwarded = tap.push(part);
          expect(forwarded).toBe(part);
          out.push(forwarded!);
        }
        tap.end();
        expect(Buffer.concat(out).equals(bytes)).toBe(true);
        expect(seen).toEqual(events.map((e) => e.data));
      }),
      { seed: 42, numRuns: 300 },
    );
  });

  it('in editing mode drops exactly the chosen events and keeps every other byte', () => {
    fc.assert(
      fc.property(fc.array(event, { maxLength: 12 }), newline, fc.array(fc.nat(), { maxLength: 20 }), (events, eol, cuts) => {
        const bytes = Buffer.from(render(events, eol));
        const tap = new SseTap({
          onEvent: () => undefined,
          decide: (e) => (e.event === 'ping' ? 'drop' : 'keep'),
        });
        const out: Buffer[] = [];
        for (const part of split(bytes, cuts)) {
          const forwarded = tap.push(part);
          if (forwarded) out.push(forwarded);
        }
        const tail = tap.end();
        if (tail) out.push(tail);
        const expected = render(
          events.filter((e) => e.name !== 'ping'),
          eol,
        );
        expect(Buffer.concat(out).toString()).toBe(expected);
      }),
      { seed: 7, numRuns: 300 },
    );
  });

  it('forwards complete events at once and holds only an unfinished one', () => {
    const tap = new SseTap({ onEvent: () => undefined, decide: () => 'keep' });
    expect(tap.push(Buffer.from('data: one\n\ndata: tw'))?.toString()).toBe('data: one\n\n');
    expect(tap.atBoundary).toBe(true);
    expect(tap.push(Buffer.from('o\n\n'))?.toString()).toBe('data: two\n\n');
    expect(tap.end()).toBeUndefined();
  });

  it('knows whether forwarded bytes end between events', () => {
    const tap = new SseTap({ onEvent: () => undefined });
    tap.push(Buffer.from('data: {"a":'));
    expect(tap.atBoundary).toBe(false);
    tap.push(Buffer.from('1}\n\n'));
    expect(tap.atBoundary).toBe(true);
  });
});
