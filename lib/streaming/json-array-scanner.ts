import { JsonArraySplitter, type JsonArrayState } from './json-array-splitter.ts';

export type { JsonArrayState };

/**
 * Reads a streamed JSON array as it passes: each top-level element is handed over as text the
 * moment its last byte has arrived, while the bytes themselves are forwarded untouched by the
 * caller. The element boundaries come from JsonArraySplitter.
 */
export class JsonArrayScanner {
  private readonly splitter = new JsonArraySplitter();
  private readonly onElement: (text: string) => void;

  constructor(onElement: (text: string) => void) {
    this.onElement = onElement;
  }

  get state(): JsonArrayState {
    return this.splitter.state;
  }

  /** Complete elements seen so far. */
  get elements(): number {
    return this.splitter.elements;
  }

  /** True when the bytes so far end before the array, between two elements, or after it. */
  get atBoundary(): boolean {
    const state = this.splitter.state;
    return state === 'before' || state === 'between' || state === 'closed';
  }

  push(chunk: Uint8Array): void {
    const state = this.splitter.state;
    if (state === 'closed' || state === 'invalid') return;
    const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    for (const piece of this.splitter.push(bytes)) {
      if (piece.kind === 'element') this.onElement(piece.bytes.toString('utf8'));
    }
  }
}
