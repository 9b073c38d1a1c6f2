import type { StreamObserver } from '../providers/types.ts';
import { stateObserver, type StreamState } from './named-sse.ts';


const LF = 0x0a;

/**
 * Reads a newline-delimited JSON stream (one JSON value per line) as it passes through: every
 * chunk is forwarded unchanged, and `onLine` sees each complete, non-blank line. eventsource-parser
 * does not apply (there are no SSE fields), so lines are split here.
 */
export class NdjsonTap {
  private readonly decoder = new TextDecoder();
  private readonly onLine: (line: string) => void;
  private partial = '';
  /** Bytes forwarded so far end exactly after a newline. */
  atBoundary = true;

  constructor(onLine: (line: string) => void) {
    this.onLine = onLine;
  }

  push(chunk: Buffer): Buffer {
    if (chunk.byteLength === 0) return chunk;
    const lines = (this.partial + this.decoder.decode(chunk, { stream: true })).split('\n');
    this.partial = lines.pop() ?? '';
    for (const line of lines) this.emit(line);
    this.atBoundary = chunk[chunk.byteLength - 1] === LF;
    return chunk;
  }

  end(): undefined {
    const rest = this.partial + this.decoder.decode();
    this.partial = '';
    this.emit(rest);
    return undefined;
  }

  private emit(line: string): void {
    const trimmed = line.trim();
    if (trimmed !== '') this.onLine(trimmed);
  }
}

/** A StreamObserver over an NDJSON stream, `onLine` filling the state. */
export function observeNdjson(state: StreamState, onLine: (line: string) => void): StreamObserver {
  const tap = new NdjsonTap(onLine);
  return stateObserver(tap, state);
}
