import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import type { ServerResponse } from 'node:http';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { installAwsLambdaShim, LocalResponseStream } from '../../bin/local/awslambda-shim.ts';

class RecordingResponse extends EventEmitter {
  status = 0;
  headers: Record<string, unknown> = {};
  chunks: string[] = [];
  writableFinished = false;
  writeHead(status: number, headers: Record<string, unknown>) {
    this.status = status;
    this.headers = headers;
    return this;
  }
  write(chunk: Buffer) {
    this.chunks.push(chunk.toString());
    return true;
  }
  end(callback?: () => void) {
    this.writableFinished = true;
    callback?.();
  }
}

installAwsLambdaShim();

describe('the local awslambda shim', () => {
  it('turns the prelude into the status line and headers, then streams the body', async () => {
    const res = new RecordingResponse();
    const stream = awslambda.HttpResponseStream.from(new LocalResponseStream(res as unknown as ServerResponse), {
      statusCode: 201,
      headers: { 'content-type': 'text/event-stream', 'x-a': 'b' },
      cookies: ['c=1'],
    });
    stream.write('data: 1\n\n');
    stream.write('data: 2\n\n');
    await new Promise<void>((resolve) => stream.end(() => resolve()));
    expect(res.status).toBe(201);
    expect(res.headers).toEqual({ 'content-type': 'text/event-stream', 'x-a': 'b', 'set-cookie': ['c=1'] });
    expect(res.chunks.join('')).toBe('data: 1\n\ndata: 2\n\n');
  });

  it('without a prelude answers 200 application/octet-stream, as Lambda does', async () => {
    const res = new RecordingResponse();
    const stream = new LocalResponseStream(res as unknown as ServerResponse);
    await new Promise<void>((resolve) => stream.end('raw', () => resolve()));
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/octet-stream');
    expect(res.chunks.join('')).toBe('raw');
  });

  it('lets go of its response once ended, so a stream that outlives its request holds none of it', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    // The response is reachable only through the stream, as when the request that made them is over.
    const open = () => {
      const res = new RecordingResponse();
      return { released: new WeakRef(res), stream: new LocalResponseStream(res as unknown as ServerResponse) };
    };
    const { released, stream } = open();
    await new Promise<void>((resolve) => stream.end('done', () => resolve()));
    await new Promise((resolve) => setImmediate(resolve));
    gc();
    expect(stream.writableFinished).toBe(true);
    expect(released.deref()).toBeUndefined();
  });

  it('drops quietly a prelude given after the client has gone', () => {
    const res = new RecordingResponse();
    const stream = new LocalResponseStream(res as unknown as ServerResponse);
    stream.destroy();
    expect(() => awslambda.HttpResponseStream.from(stream, { statusCode: 200, headers: {} })).not.toThrow();
    expect(res.status).toBe(0);
  });

  it('writes the prelude to any other stream as the Lambda runtime does: JSON, then eight NUL bytes', () => {
    const other = Object.assign(new PassThrough(), { contentType: '', setContentType(type: string) { this.contentType = type; } });
    awslambda.HttpResponseStream.from(other, { statusCode: 404, headers: { 'x-a': 'b' } }).write('body');
    expect(other.contentType).toBe('application/vnd.awslambda.http-integration-response');
    const bytes = other.read() as Buffer;
    const end = bytes.indexOf(Buffer.alloc(8));
    expect(JSON.parse(bytes.toString('utf8', 0, end))).toEqual({ statusCode: 404, headers: { 'x-a': 'b' } });
    expect(bytes.subarray(end + 8).toString()).toBe('body');
  });
});
