/** A piece of a streamed JSON array: bytes between elements (`[`, `,`, whitespace, `]`), or one whole element. */
export type JsonArrayPiece = { kind: 'separator'; bytes: Buffer } | { kind: 'element'; bytes: Buffer };

export type JsonArrayState = 'before' | 'between' | 'inside' | 'closed' | 'invalid';

const isWhitespace = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
/** The bytes of a UTF-8 byte order mark, allowed before the array. */
const isBomByte = (c: number) => c === 0xef || c === 0xbb || c === 0xbf;

/**
 * Cuts a JSON array that arrives in pieces into the bytes between its elements, passed on at once,
 * and its top-level elements, each passed on whole once its last byte has arrived. Elements must be
 * objects or arrays (as in Gemini's and Vertex AI's streamed answers); anything else makes the
 * stream `invalid`, and from there on every byte is passed on as a separator, untouched.
 *
 * Written here because no streaming JSON parser is among the dependencies, and all this needs is
 * nesting depth and string state. It works on bytes: every structural character of JSON is ASCII,
 * and no byte of a multi-byte UTF-8 character is, so nothing needs decoding.
 */
export class JsonArraySplitter {
  private depth = 0;
  private inString = false;
  private escaped = false;
  private partial: Buffer[] = [];
  state: JsonArrayState = 'before';
  /** Complete elements seen so far. */
  elements = 0;

  get closed(): boolean {
    return this.state === 'closed';
  }

  push(chunk: Buffer): JsonArrayPiece[] {
    const pieces: JsonArrayPiece[] = [];
    let start = 0;
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i]!;
      if (this.state === 'inside') {
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
            this.elements++;
            this.state = 'between';
            start = i + 1;
          }
        }
        continue;
      }
      if (this.state === 'closed' || this.state === 'invalid' || isWhitespace(c)) continue;
      if (this.state === 'before') {
        if (c === 0x5b) {
          this.state = 'between';
          this.depth = 1;
        } else if (!isBomByte(c)) {
          this.state = 'invalid';
        }
        continue;
      }
      // between elements
      if (c === 0x2c) continue;
      if (c === 0x5d) {
        this.state = 'closed';
        this.depth = 0;
      } else if (c === 0x7b || c === 0x5b) {
        if (i > start) pieces.push({ kind: 'separator', bytes: chunk.subarray(start, i) });
        start = i;
        this.state = 'inside';
        this.depth = 2;
      } else {
        this.state = 'invalid';
      }
    }
    if (start < chunk.length) {
      if (this.state === 'inside') this.partial.push(chunk.subarray(start));
      else pieces.push({ kind: 'separator', bytes: chunk.subarray(start) });
    }
    return pieces;
  }
}
