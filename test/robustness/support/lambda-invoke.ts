import { Writable } from 'node:stream';
import { randomUUID } from 'node:crypto';
import type { Context, LambdaFunctionURLEvent } from 'aws-lambda';
import { functionUrlTime } from '../../../bin/local/function-url-event.ts';

/** 8 NUL bytes: the end of the JSON prelude that awslambda.HttpResponseStream.from writes. */
const DELIMITER = Buffer.alloc(8);

export interface CapturedResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/**
 * The response stream Lambda hands a streaming handler, keeping everything written to it. Like
 * the local server's stream it learns the integration content type from the shim, so the JSON
 * prelude (status, headers) is read back; the rest is the body.
 */
export class CapturingResponseStream extends Writable {
  private readonly chunks: Buffer[] = [];
  private contentType = 'application/octet-stream';
  /** Called with each body chunk once the prelude is through (a test may abort mid-stream). */
  onBody: ((chunk: Buffer) => void) | undefined;
  private preludeDone = false;
  private preludeBytes = Buffer.alloc(0);

  setContentType(type: string): void {
    this.contentType = type;
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.chunks.push(chunk);
    if (!this.preludeDone) {
      this.preludeBytes = Buffer.concat([this.preludeBytes, chunk]);
      const end = this.preludeBytes.indexOf(DELIMITER);
      if (end >= 0) {
        this.preludeDone = true;
        const rest = this.preludeBytes.subarray(end + DELIMITER.length);
        if (rest.byteLength > 0) this.onBody?.(rest);
      }
    } else {
      this.onBody?.(chunk);
    }
    callback();
  }

  /** Status, headers and body, as a Function URL would turn them into an HTTP response. */
  response(): CapturedResponse {
    const all = Buffer.concat(this.chunks);
    if (this.contentType !== 'application/vnd.awslambda.http-integration-response') {
      return { status: 200, headers: { 'content-type': this.contentType }, body: all };
    }
    const end = all.indexOf(DELIMITER);
    if (end < 0) throw new Error('the handler wrote no complete prelude');
    const prelude = JSON.parse(all.toString('utf8', 0, end)) as { statusCode?: number; headers?: Record<string, string> };
    return { status: prelude.statusCode ?? 200, headers: prelude.headers ?? {}, body: all.subarray(end + DELIMITER.length) };
  }
}

export interface EventInput {
  method: string;
  /** The raw path, as a Function URL puts it in `rawPath`. */
  path: string;
  rawQueryString?: string;
  headers?: Record<string, string>;
  body?: Buffer;
  /** Deliver the body base64-encoded (as Function URLs do for non-text content types). */
  base64?: boolean;
}

/** A payload-2.0 Function URL event. */
export function functionUrlEvent(input: EventInput): LambdaFunctionURLEvent {
  const now = new Date();
  const body = input.body;
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: input.path,
    rawQueryString: input.rawQueryString ?? '',
    headers: input.headers ?? {},
    requestContext: {
      accountId: 'anonymous',
      apiId: 'fuzz',
      domainName: 'fuzz.lambda-url.us-east-1.on.aws',
      domainPrefix: 'fuzz',
      http: { method: input.method, path: input.path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'fuzz' },
      requestId: randomUUID(),
      routeKey: '$default',
      stage: '$default',
      time: functionUrlTime(now),
      timeEpoch: now.getTime(),
    },
    body: body === undefined || body.byteLength === 0 ? undefined : input.base64 ? body.toString('base64') : body.toString('utf8'),
    isBase64Encoded: body !== undefined && body.byteLength > 0 && input.base64 === true,
  } as LambdaFunctionURLEvent;
}

export type StreamingHandler = (event: LambdaFunctionURLEvent, stream: Writable, context: Context) => Promise<void>;

const context = { callbackWaitsForEmptyEventLoop: false, functionName: 'sluice-fuzz', getRemainingTimeInMillis: () => 900_000 } as Context;

/** Runs a production streaming handler on one event and returns what it wrote. */
export async function invoke(handler: StreamingHandler, event: LambdaFunctionURLEvent, stream = new CapturingResponseStream()): Promise<CapturedResponse> {
  await handler(event, stream, context);
  return stream.response();
}
