import { Writable } from 'node:stream';
import type { ServerResponse } from 'node:http';

const INTEGRATION_CONTENT_TYPE = 'application/vnd.awslambda.http-integration-response';
const DELIMITER = Buffer.alloc(8);
const STREAMING = Symbol.for('sluice.streamingHandler');

interface Prelude {
  statusCode?: number;
  headers?: Record<string, string>;
  cookies?: string[];
}

/** What Lambda answers for a body written with no prelude. */
const NO_PRELUDE: Prelude = { statusCode: 200, headers: { 'content-type': 'application/octet-stream' } };

/**
 * The response stream Lambda hands a streaming handler, backed by a Node ServerResponse: the
 * prelude HttpResponseStream.from gives it (status, headers, cookies) becomes the status line and
 * headers, the body passes through with backpressure, and a body with no prelude is sent as
 * 200 application/octet-stream, as Lambda does.
 */
export class LocalResponseStream extends Writable {
  /**
   * Let go of once the response has ended or the stream is destroyed. A finished request's stream
   * can outlive it in V8's old generation (it is allocated where long-lived streams are, which V8
   * pretenures), and while it pointed at its ServerResponse, the whole finished request survived
   * young-generation collections until the next full one: 11% of a chat's allocations survived each
   * scavenge and scavenges paused the local server 8–10 ms; released, 6% and 3–4 ms.
   */
  private res: ServerResponse | undefined;
  private headersSent = false;

  constructor(res: ServerResponse) {
    super({ highWaterMark: 16 * 1024 });
    this.res = res;
    res.once('close', () => {
      if (!res.writableFinished) this.destroy(new Error('client disconnected'));
    });
  }

  /**
   * Takes the prelude as it is, where Lambda's runtime writes it as JSON and eight NUL bytes and
   * reads it back: the same status line and headers, without the round trip.
   */
  sendPrelude(prelude: Prelude): void {
    const headers = prelude.cookies?.length ? { ...prelude.headers, 'set-cookie': prelude.cookies } : (prelude.headers ?? {});
    // No response any more when the client went away before the handler gave its prelude.
    this.res?.writeHead(prelude.statusCode ?? 200, headers);
    this.headersSent = true;
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (!this.headersSent) this.sendPrelude(NO_PRELUDE);
    const res = this.res!;
    if (chunk.byteLength === 0 || res.write(chunk)) return callback();
    res.once('drain', () => callback());
  }

  override _final(callback: (error?: Error | null) => void): void {
    if (!this.headersSent) this.sendPrelude(NO_PRELUDE);
    const res = this.res!;
    this.res = undefined;
    res.end(() => callback());
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.res = undefined;
    callback(error);
  }
}

type Handler = (event: unknown, stream: Writable, context: unknown) => Promise<void>;

/** Installs the `awslambda` global the Lambda Node.js runtime provides to streaming handlers. */
export function installAwsLambdaShim(): void {
  // Other libraries (the Lambda invoke store) may already have put an object there: add to it.
  const global = globalThis as { awslambda?: Record<string, unknown> };
  const target = (global.awslambda ??= {});
  if (typeof target.streamifyResponse === 'function') return;
  Object.assign(target, {
    streamifyResponse(handler: Handler): Handler {
      Object.defineProperty(handler, STREAMING, { value: true });
      return handler;
    },
    HttpResponseStream: {
      from(stream: Writable, prelude: Prelude) {
        if (stream instanceof LocalResponseStream) {
          stream.sendPrelude(prelude);
          return stream;
        }
        // Any other stream gets the prelude as Lambda's runtime writes it.
        (stream as { setContentType?: (type: string) => void }).setContentType?.(INTEGRATION_CONTENT_TYPE);
        stream.write(JSON.stringify(prelude));
        stream.write(DELIMITER);
        return stream;
      },
    },
  });
}
