import fc from 'fast-check';
import type { StreamObserver } from '../../lib/providers/types.ts';

/** Any way of cutting a byte string into consecutive chunks. */
export function chunkings(bytes: Buffer): fc.Arbitrary<Buffer[]> {
  return fc.uniqueArray(fc.integer({ min: 1, max: Math.max(1, bytes.length - 1) }), { maxLength: 24 }).map((cuts) => {
    const points = [0, ...cuts.filter((cut) => cut < bytes.length).sort((a, b) => a - b), bytes.length];
    const chunks: Buffer[] = [];
    for (let i = 1; i < points.length; i++) chunks.push(bytes.subarray(points[i - 1], points[i]));
    return chunks;
  });
}

/** Feeds chunks through an observer; returns the bytes it forwarded. */
export function pass(observer: StreamObserver, chunks: readonly Buffer[]): Buffer {
  const out: Buffer[] = [];
  for (const chunk of chunks) {
    const forwarded = observer.push(chunk);
    if (forwarded) out.push(forwarded);
  }
  const tail = observer.end();
  if (tail) out.push(tail);
  return Buffer.concat(out);
}
