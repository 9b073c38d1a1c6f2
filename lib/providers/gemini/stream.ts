import type { SluiceError } from '../../errors/sluice-error.ts';
import { JsonArrayScanner } from '../../streaming/json-array-scanner.ts';
import { SseTap } from '../../streaming/sse-events.ts';
import type { StreamObserver } from '../types.ts';
import { googleErrorObject } from './dialect.ts';
import { GenerateContentReader } from './response.ts';
import { tapObserver } from '../../streaming/tap-observer.ts';

function readJson(reader: GenerateContentReader, text: string): void {
  try {
    reader.read(JSON.parse(text));
  } catch {
    // a chunk that is not JSON carries nothing to read
  }
}

/** `:streamGenerateContent?alt=sse`: each data event is one GenerateContentResponse. */
export function observeGeminiSse(): StreamObserver {
  const reader = new GenerateContentReader();
  const tap = new SseTap({ onEvent: (event) => readJson(reader, event.data) });
  return tapObserver(tap, { summary: () => reader.summary, completed: () => reader.finished, failure: () => reader.failure });
}

export interface JsonArrayObserver extends StreamObserver {
  /** The bytes that end the array after a break, given how far it got. */
  errorTail(error: SluiceError): Buffer;
}

/**
 * `:streamGenerateContent` without `alt=sse`: one JSON array whose elements arrive as they are
 * generated. Bytes pass on as they come; each element is read once its closing brace has passed.
 */
export function observeGeminiJsonArray(): JsonArrayObserver {
  const reader = new GenerateContentReader();
  const scanner = new JsonArrayScanner((element) => readJson(reader, element));
  return {
    push(chunk) {
      scanner.push(chunk);
      return chunk;
    },
    end: () => undefined,
    summary: () => reader.summary,
    completed: () => scanner.state === 'closed',
    atEventBoundary: () => scanner.atBoundary,
    upstreamFailure: () => reader.failure,
    errorTail(error) {
      // Between elements the array can still be closed with an error element, as Google does;
      // inside a broken element no bytes can make the JSON whole again.
      const element = JSON.stringify(googleErrorObject(error));
      switch (scanner.state) {
        case 'before':
          return Buffer.from(`[${element}]`);
        case 'between':
          return Buffer.from(`${scanner.elements > 0 ? ',\n' : ''}${element}\n]`);
        default:
          return Buffer.alloc(0);
      }
    },
  };
}
