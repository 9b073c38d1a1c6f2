/** Enough of an answer to estimate its tokens; the rest is only counted, so memory stays bounded. */
const KEEP_BYTES = 1024 * 1024;

/**
 * The first bytes of an upstream answer, held by reference (no copy) while the request lives, and
 * read only when the provider reported no usage.
 */
export class ResponseSample {
  readonly chunks: Buffer[] = [];
  keptBytes = 0;
  totalBytes = 0;

  add(chunk: Buffer): void {
    this.totalBytes += chunk.byteLength;
    if (this.keptBytes >= KEEP_BYTES) return;
    const room = KEEP_BYTES - this.keptBytes;
    const kept = chunk.byteLength <= room ? chunk : chunk.subarray(0, room);
    this.chunks.push(kept);
    this.keptBytes += kept.byteLength;
  }
}
