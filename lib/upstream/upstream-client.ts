import http, { type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import https from 'node:https';
import type { Config } from '../config/index.ts';
import { SluiceError } from '../errors/sluice-error.ts';

export interface UpstreamRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  body?: Uint8Array;
}

export interface UpstreamResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** The body, read as it arrives; fails with a SluiceError on the idle or total timeout. */
  body: AsyncIterable<Buffer>;
  /**
   * The whole body at once, in place of reading `body` (not both). Fails with a SluiceError: over
   * `maxBytes`, on the idle or total timeout, or when the connection breaks before the end.
   */
  readAll?(maxBytes: number): Promise<Buffer>;
  /** Stops reading and releases the connection. */
  cancel(): void;
}

type Timeouts = Config['timeouts'];

/**
 * HTTP/1.1 to providers over keep-alive agents, with the four timeouts a proxy needs: connect,
 * first byte (response headers), idle between body chunks, and total.
 *
 * node:http rather than fetch: it costs measurably less per request on the hot path, streams
 * Buffers without web-stream conversion, and lets each timeout be told apart.
 */
export class UpstreamClient {
  private readonly httpAgent = new http.Agent({ keepAlive: true, maxSockets: 512, scheduling: 'lifo' });
  private readonly httpsAgent = new https.Agent({ keepAlive: true, maxSockets: 512, scheduling: 'lifo' });
  private readonly timeouts: Timeouts;

  constructor(timeouts: Timeouts) {
    this.timeouts = timeouts;
  }

  send(request: UpstreamRequest, signal?: AbortSignal): Promise<UpstreamResponse> {
    const timeouts = this.timeouts;
    const url = new URL(request.url);
    const secure = url.protocol === 'https:';
    const transport = secure ? https : http;
    const headers: Record<string, string | number> = { ...request.headers };
    if (request.body) headers['content-length'] = request.body.byteLength;

    return new Promise<UpstreamResponse>((resolve, reject) => {
      let settled = false;
      let response: IncomingMessage | undefined;
      const timers: NodeJS.Timeout[] = [];
      const clear = () => timers.forEach(clearTimeout);

      const fail = (error: SluiceError) => {
        clear();
        if (!settled) {
          settled = true;
          reject(error);
        } else {
          response?.destroy(error);
        }
        req.destroy(error);
      };

      let req: http.ClientRequest;
      try {
        req = transport.request(
          {
            protocol: url.protocol,
            hostname: url.hostname.replace(/^\[|\]$/g, ''),
            port: url.port || (secure ? 443 : 80),
            path: `${url.pathname}${url.search}`,
            method: request.method,
            headers,
            agent: secure ? this.httpsAgent : this.httpAgent,
            signal,
          },
          (res) => {
            response = res;
            clearTimeout(firstByteTimer);
            const finish = () => clear();
            res.once('end', finish);
            res.once('close', finish);
            settled = true;
            resolve({
              status: res.statusCode ?? 502,
              headers: res.headers,
              body: readWithIdleTimeout(res, timeouts.idleMs),
              readAll: (maxBytes) => readWholeBody(res, timeouts.idleMs, maxBytes),
              cancel: () => {
                clear();
                res.destroy();
                req.destroy();
              },
            });
          },
        );
      } catch (error) {
        reject(unforwardableHeader(error) ?? error);
        return;
      }

      const totalTimer = setTimeout(() => {
        fail(
          new SluiceError('timeout', `The upstream did not finish within ${timeouts.totalMs} ms.`, {
            code: 'upstream_total_timeout',
          }),
        );
      }, timeouts.totalMs);
      const firstByteTimer = setTimeout(() => {
        fail(
          new SluiceError('timeout', `The upstream did not answer within ${timeouts.firstByteMs} ms.`, {
            code: 'upstream_timeout',
          }),
        );
      }, timeouts.firstByteMs);
      timers.push(totalTimer, firstByteTimer);

      req.once('socket', (socket) => {
        if (!socket.connecting) return;
        const connectTimer = setTimeout(() => {
          fail(
            new SluiceError('timeout', `Could not connect to the upstream within ${timeouts.connectMs} ms.`, {
              code: 'upstream_connect_timeout',
            }),
          );
        }, timeouts.connectMs);
        timers.push(connectTimer);
        socket.once('connect', () => clearTimeout(connectTimer));
      });

      req.on('error', (error: NodeJS.ErrnoException) => {
        clear();
        if (settled) return;
        settled = true;
        if (error instanceof SluiceError) return reject(error);
        if (error.name === 'AbortError') {
          return reject(new SluiceError('upstream_error', 'The request was cancelled.', { code: 'cancelled', status: 499 }));
        }
        reject(
          new SluiceError('upstream_error', `Could not reach the upstream (${error.code ?? error.message}).`, {
            code: 'upstream_unreachable',
            cause: error,
          }),
        );
      });

      req.end(request.body);
    });
  }

  /** Sockets to upstreams: in use by a call, and kept alive for the next one (for tests and soaks). */
  sockets(): { active: number; idle: number } {
    const count = (pools: Array<NodeJS.ReadOnlyDict<unknown[]>>) =>
      pools.flatMap((pool) => Object.values(pool)).reduce<number>((sum, list) => sum + (list?.length ?? 0), 0);
    return {
      active: count([this.httpAgent.sockets, this.httpsAgent.sockets]),
      idle: count([this.httpAgent.freeSockets, this.httpsAgent.freeSockets]),
    };
  }

  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}

/**
 * A header node:http refuses to send (a control or non-Latin-1 character in its value, a name
 * that is not an HTTP token): the client's request cannot be forwarded as it is. A Function URL
 * event can carry such headers; the error names the header, never its value.
 */
function unforwardableHeader(error: unknown): SluiceError | undefined {
  const code = (error as NodeJS.ErrnoException).code;
  if (code !== 'ERR_INVALID_CHAR' && code !== 'ERR_INVALID_HTTP_TOKEN') return undefined;
  const name = /\["([^"]*)"\]/.exec((error as Error).message)?.[1];
  return new SluiceError(
    'bad_request',
    `${name ? `The header '${name.slice(0, 100)}'` : 'A header'} cannot be forwarded: its name or value holds characters HTTP does not allow.`,
    { code: 'invalid_header' },
  );
}

const QUEUE_HIGH_WATER_BYTES = 64 * 1024;

const idleTimeout = (idleMs: number) =>
  new SluiceError('timeout', `The upstream sent nothing for ${idleMs} ms.`, { code: 'upstream_idle_timeout' });

/**
 * Listens to a response body: each chunk, its end, and its failure (an error, or the connection
 * closing before the end). After the end or a failure nothing more is heard; the function returned
 * stops listening sooner.
 */
function listenToBody(res: IncomingMessage, on: { data(chunk: Buffer): void; end(): void; fail(error: Error): void }): () => void {
  const onData = (chunk: Buffer) => on.data(chunk);
  const onEnd = () => {
    stop();
    on.end();
  };
  const onError = (error: Error) => {
    stop();
    on.fail(error);
  };
  const onClose = () => onError(new Error('the upstream closed the connection before the end of the body'));
  const stop = () => {
    res.off('data', onData);
    res.off('end', onEnd);
    res.off('error', onError);
    res.off('close', onClose);
  };
  res.on('data', onData);
  res.once('end', onEnd);
  res.once('error', onError);
  res.once('close', onClose);
  return stop;
}

/**
 * The body's chunks; the idle timer runs only while Sluice waits on the upstream, not while a
 * slow client holds the stream back.
 *
 * One iterator over the response's events rather than a generator over the stream's own async
 * iterator: a stream is hundreds of chunks, and each layer of async iteration costs promises and
 * microtask hops per chunk. Chunks that arrive while the reader is busy are queued; past
 * QUEUE_HIGH_WATER_BYTES the response is paused, so backpressure still reaches the upstream
 * (pausing at every chunk would stop and restart the socket's reads each time).
 */
function readWithIdleTimeout(res: IncomingMessage, idleMs: number): AsyncIterable<Buffer> {
  const queue: Buffer[] = [];
  let queuedBytes = 0;
  let ended = false;
  let failure: unknown;
  let waiter: { resolve: (result: IteratorResult<Buffer>) => void; reject: (error: unknown) => void } | undefined;
  // One timer for the whole body, re-armed before each wait; if it expires while Sluice is not
  // waiting (the client held the stream back), it does nothing.
  let timer: NodeJS.Timeout | undefined;
  let stopListening: (() => void) | undefined;

  const take = (): IteratorResult<Buffer> => {
    const value = queue.shift()!;
    queuedBytes -= value.byteLength;
    return { value, done: false };
  };
  const wake = () => {
    const current = waiter;
    if (!current) return;
    waiter = undefined;
    if (queue.length > 0) current.resolve(take());
    else if (failure !== undefined) current.reject(failure);
    else if (ended) current.resolve({ value: undefined, done: true });
    else waiter = current;
  };
  // Nothing is read until the first next(): the body may be read with readAll instead.
  const start = () => {
    if (res.destroyed && !res.complete) failure = res.errored ?? new Error('the upstream connection closed before the body was read');
    timer = setTimeout(() => {
      if (waiter) res.destroy(idleTimeout(idleMs));
    }, idleMs);
    stopListening = listenToBody(res, {
      data: (chunk) => {
        queue.push(chunk);
        queuedBytes += chunk.byteLength;
        if (waiter) wake();
        else if (queuedBytes > QUEUE_HIGH_WATER_BYTES && !res.isPaused()) res.pause();
      },
      end: () => {
        ended = true;
        clearTimeout(timer);
        wake();
      },
      fail: (error) => {
        failure ??= error;
        clearTimeout(timer);
        wake();
      },
    });
  };

  const iterator: AsyncIterator<Buffer> = {
    next() {
      if (!timer) start();
      if (queue.length > 0) {
        const result = take();
        if (queuedBytes <= QUEUE_HIGH_WATER_BYTES && res.isPaused() && !ended) res.resume();
        return Promise.resolve(result);
      }
      if (failure !== undefined) return Promise.reject(failure);
      if (ended) return Promise.resolve({ value: undefined, done: true });
      timer!.refresh();
      if (res.isPaused()) res.resume();
      return new Promise((resolve, reject) => {
        waiter = { resolve, reject };
      });
    },
    return() {
      clearTimeout(timer);
      stopListening?.();
      queue.length = 0;
      ended = true;
      if (!res.complete) res.destroy();
      return Promise.resolve({ value: undefined, done: true });
    },
  };
  return { [Symbol.asyncIterator]: () => iterator };
}

const tooLarge = (maxBytes: number) =>
  new SluiceError('upstream_error', `The upstream response is larger than ${maxBytes} bytes.`, {
    code: 'upstream_response_too_large',
  });

/**
 * A whole body with events rather than async iterators: most answers are one chunk, and the
 * iterators' promise hops cost more than reading it. The idle timer is one timer, re-armed per chunk.
 */
function readWholeBody(res: IncomingMessage, idleMs: number, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const timer = setTimeout(() => res.destroy(idleTimeout(idleMs)), idleMs);
    const settle = (error: unknown, body?: Buffer) => {
      clearTimeout(timer);
      stopListening();
      if (error === undefined) return resolve(body!);
      if (!res.destroyed) res.destroy();
      reject(
        error instanceof SluiceError
          ? error
          : new SluiceError('upstream_error', 'The upstream connection broke before its answer was complete.', {
              code: 'upstream_body_incomplete',
              cause: error,
            }),
      );
    };
    const stopListening = listenToBody(res, {
      data: (chunk) => {
        size += chunk.byteLength;
        if (size > maxBytes) return settle(tooLarge(maxBytes));
        chunks.push(chunk);
        timer.refresh();
      },
      end: () => settle(undefined, chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size)),
      fail: (error) => settle(error),
    });
  });
}

/** Reads a whole body up to a limit. */
export async function readBody(upstream: UpstreamResponse, maxBytes: number): Promise<Buffer> {
  if (upstream.readAll) return upstream.readAll(maxBytes);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of upstream.body) {
    size += chunk.byteLength;
    if (size > maxBytes) {
      upstream.cancel();
      throw tooLarge(maxBytes);
    }
    chunks.push(chunk);
  }
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
}
