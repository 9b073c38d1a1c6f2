import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SseTap } from '../../lib/streaming/sse-events.ts';
import { chunkings } from '../support/chunking.ts';

function boundariesAfter(chunks: string[]): boolean[] {
  const tap = new SseTap({ onEvent: () => undefined });
  return chunks.map((chunk) => {
    tap.push(Buffer.from(chunk));
    return tap.atBoundary;
  });
}

describe('SseTap.atBoundary in pass-through mode', () => {
  it('sees a blank line whose two line ends arrive in different chunks', () => {
    expect(boundariesAfter(['data: a\n', '\n'])).toEqual([false, true]);
    expect(boundariesAfter(['data: a\r\n', '\r\n'])).toEqual([false, true]);
    expect(boundariesAfter(['data: a\r\n\r', '\n'])).toEqual([true, true]);
    expect(boundariesAfter(['data: a\r', '\n', 'data: b'])).toEqual([false, false, false]);
    expect(boundariesAfter(['data: a\n\n', 'd', 'ata: b\n', '\r', '\n'])).toEqual([true, false, false, true, true]);
  });

  it('is at a boundary before anything and after a leading blank line', () => {
    const tap = new SseTap({ onEvent: () => undefined });
    expect(tap.atBoundary).toBe(true);
    tap.push(Buffer.from('\n'));
    expect(tap.atBoundary).toBe(true);
  });

  it('is at a boundary exactly where events end, however an LF stream is cut', () => {
    const events = ['event: a\ndata: {"x":1}\n\n', 'data: two\ndata: lines\n\n', ': comment\n\n', 'data: ✓\n\n'];
    const stream = Buffer.from(events.join(''));
    const ends = new Set<number>([0]);
    let offset = 0;
    for (const event of events) ends.add((offset += Buffer.byteLength(event)));
    fc.assert(
      fc.property(chunkings(stream), (chunks) => {
        const tap = new SseTap({ onEvent: () => undefined });
        let position = 0;
        for (const chunk of chunks) {
          tap.push(chunk);
          position += chunk.length;
          expect(tap.atBoundary).toBe(ends.has(position));
        }
      }),
    );
  });
});
