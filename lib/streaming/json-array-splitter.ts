/** A piece of a streamed JSON array: bytes between elements (`[`, `,`, whitespace, `]`), or one whole element. */
export type JsonArrayPiece = { kind: 'separator'; bytes: Buffer } | { kind: 'element'; bytes: Buffer };

/**
 * Cuts a JSON array that arrives in pieces into the bytes between its elements, passed on at once,
 * and its top-level elements, each passed on whole once its last byte has arrived (an unfinished
 * element is of no use to a client anyway). Used where elements may be held or replaced; the
 * pass-through JsonArrayScanner reads without holding anything.
 *
 * It works on bytes: every structural character of JSON is ASCII, and no byte of a multi-byte
 * UTF-8 character is, so depth and string state can be tracked without decoding.
 */
export class JsonArraySplitter {
  private depth = 0;
  private inString = false;
  private escaped = false;
  private partial: Buffer[] = [];
  private started = false;
  closed = false;

  push(chunk: Buffer): JsonArrayPiece[] {
    const pieces: JsonArrayPiece[] = [];
    let start = 0;
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i]!;
      if (this.depth >= 2) {
        if (this.inString) {
          if (this.escaped) this.escaped = false;
          else if (c === 0x5c) this.escaped = true;
          else if (c === 0x22) this.inString = false;
          continue;
        }
        if (c === 0x22) this.inString = true;
        else if (c === 0x7b || c === 0x5b) this.depth++;
        else if (c === 0x7d || c === 0x5d) {
          this.depth--;
          if (this.depth === 1) {
            this.partial.push(chunk.subarray(start, i + 1));
            pieces.push({ kind: 'element', bytes: Buffer.concat(this.partial.splice(0)) });
            start = i + 1;
          }
        }
        continue;
      }
      if (this.closed) continue;
      if (!this.started) {
        if (c === 0x5b) {
          this.started = true;
          this.depth = 1;
        }
        continue;
      }
      if (c === 0x7b || c === 0x5b) {
        if (i > start) pieces.push({ kind: 'separator', bytes: chunk.subarray(start, i) });
        start = i;
        this.depth = 2;
      } else if (c === 0x5d) {
        this.depth = 0;
        this.closed = true;
      }
    }
    if (start < chunk.length) {
      if (this.depth >= 2) this.partial.push(chunk.subarray(start));
      else pieces.push({ kind: 'separator', bytes: chunk.subarray(start) });
    }
    return pieces;
  }
}
