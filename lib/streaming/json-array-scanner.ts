export type JsonArrayState = 'before' | 'between' | 'inside' | 'closed' | 'invalid';

/**
 * Cuts a JSON array that arrives in pieces into its top-level elements, so each can be read the
 * moment its last byte passes, while the bytes themselves are forwarded untouched.
 *
 * Written here because no streaming JSON parser is among the dependencies, and all this needs is
 * nesting depth and string state to find where an element ends; JSON.parse reads the element.
 * Elements must be objects or arrays (as in Gemini's and Vertex AI's streamed answers).
 */
export class JsonArrayScanner {
  private readonly decoder = new TextDecoder();
  private readonly onElement: (text: string) => void;
  private depth = 0;
  private inString = false;
  private escaped = false;
  private pieces: string[] = [];
  state: JsonArrayState = 'before';
  /** Complete elements seen so far. */
  elements = 0;

  constructor(onElement: (text: string) => void) {
    this.onElement = onElement;
  }

  /** True when the bytes so far end before the array, between two elements, or after it. */
  get atBoundary(): boolean {
    return this.state === 'before' || this.state === 'between' || this.state === 'closed';
  }

  push(chunk: Uint8Array): void {
    if (this.state === 'closed' || this.state === 'invalid') return;
    this.scan(this.decoder.decode(chunk, { stream: true }));
  }

  private scan(text: string): void {
    let start = this.state === 'inside' ? 0 : -1;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
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
            const element = this.pieces.join('') + text.slice(start, i + 1);
            this.pieces = [];
            start = -1;
            this.state = 'between';
            this.elements++;
            this.onElement(element);
          }
        }
        continue;
      }
      if (isWhitespace(c)) continue;
      if (this.state === 'before') {
        if (c === 0x5b) {
          this.depth = 1;
          this.state = 'between';
        } else if (c !== 0xfeff) {
          this.state = 'invalid';
          return;
        }
        continue;
      }
      // between elements
      if (c === 0x2c) continue;
      if (c === 0x5d) {
        this.depth = 0;
        this.state = 'closed';
        return;
      }
      if (c === 0x7b || c === 0x5b) {
        this.depth = 2;
        this.state = 'inside';
        start = i;
        continue;
      }
      this.state = 'invalid';
      return;
    }
    if (this.state === 'inside' && start >= 0) this.pieces.push(text.slice(start));
  }
}

function isWhitespace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}
