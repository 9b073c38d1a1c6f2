import { Writable } from 'node:stream';
import type { ServerResponse } from 'node:http';

const INTEGRATION_CONTENT_TYPE = 'application/vnd.awslambda.http-integration-response';
const DELIMITER = Buffer.alloc(8);
const STREAMING = Symbol.for('sluice.streamingHandler');

/**
 * The response stream Lambda hands a streaming handler, backed by a Node ServerResponse. As on
 * Lambda, HttpResponseStream.from writes a JSON prelude (status, headers, cookies) and eight NUL
 * bytes; this stream reads the prelude back into the HTTP status line and headers, then passes the
 * body through with backpressure.
 */
export class LocalResponseStream extends Writable {
  private readonly res: ServerResponse;
  private contentType = 'application/octet-stream';
  private preludeBuffer: Buffer | undefined;
  private headersSent = false;

  constructor(res: ServerResponse) {
    super({ highWaterMark: 16 * 1024 });
    this.res = res;
    res.once('close', () => {
      if (!res.writableFinished) this.destroy(new Error('client disconnected'));
    });
  }

  setContentType(type: string): void {
    this.contentType = type;
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    let body: Buffer | undefined = chunk;
    if (!this.headersSent) {
      body = this.takePrelude(chunk);
      if (!body) return callback();
    }
    if (body.byteLength === 0 || this.res.write(body)) return callback();
    this.res.once('drain', () => callback());
  }

  override _final(callback: (error?: Error | null) => void): void {
    if (!this.headersSent) {
      if (this.preludeBuffer) this.sendHeadersFrom(this.preludeBuffer, this.preludeBuffer.length);
      else this.sendDefaultHeaders();
    }
    this.res.end(() => callback());
  }

  private takePrelude(chunk: Buffer): Buffer | undefined {
    if (this.contentType !== INTEGRATION_CONTENT_TYPE) {
      this.sendDefaultHeaders();
      return chunk;
    }
    const data = this.preludeBuffer ? Buffer.concat([this.preludeBuffer, chunk]) : chunk;
    const end = data.indexOf(DELIMITER);
    if (end < 0) {
      this.preludeBuffer = data;
      return undefined;
    }
    this.preludeBuffer = undefined;
    this.sendHeadersFrom(data, end);
    return data.subarray(end + DELIMITER.length);
  }

  private sendHeadersFrom(data: Buffer, end: number): void {
    const prelude = JSON.parse(data.toString('utf8', 0, end)) as {
      statusCode?: number;
      headers?: Record<string, string>;
      cookies?: string[];
    };
    const headers: Record<string, string | string[]> = { ...prelude.headers };
    if (prelude.cookies?.length) headers['set-cookie'] = prelude.cookies;
    this.res.writeHead(prelude.statusCode ?? 200, headers);
    this.headersSent = true;
  }

  private sendDefaultHeaders(): void {
    this.res.writeHead(200, { 'content-type': this.contentType });
    this.headersSent = true;
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
      from(stream: Writable, prelude: { statusCode: number; headers?: Record<string, string>; cookies?: string[] }) {
        (stream as Partial<LocalResponseStream>).setContentType?.(INTEGRATION_CONTENT_TYPE);
        stream.write(JSON.stringify(prelude));
        stream.write(DELIMITER);
        return stream;
      },
    },
  });
}
