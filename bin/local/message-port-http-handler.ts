import type { HttpHandler } from '@smithy/core/protocols';
import type { HttpHandlerOptions, HttpRequest, HttpResponse } from '@smithy/types';
import type { MessagePort } from 'node:worker_threads';
import type { PortHttpRequest, PortHttpResponse } from './port-http-messages.ts';

type AbortSignalLike = NonNullable<HttpHandlerOptions['abortSignal']>;

interface PendingRequest {
  resolve(output: { response: HttpResponse }): void;
  reject(error: Error): void;
  /** Detaches the abort listener once the request is settled. */
  release(): void;
}

function abortError(signal: AbortSignalLike): Error {
  const reason = 'reason' in signal ? signal.reason : undefined;
  const error = new Error('Request aborted', { cause: reason });
  error.name = 'AbortError';
  return error;
}

/** Listens as NodeHttpHandler does: the platform AbortSignal, or the SDK's older `onabort` signal. */
function listenForAbort(signal: AbortSignalLike, onAbort: () => void): () => void {
  if ('addEventListener' in signal && typeof signal.addEventListener === 'function') {
    signal.addEventListener('abort', onAbort, { once: true });
    return () => signal.removeEventListener('abort', onAbort);
  }
  signal.onabort = onAbort;
  return () => {
    signal.onabort = null;
  };
}

export function requestUrl(request: HttpRequest): string {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(request.query ?? {})) {
    for (const item of Array.isArray(value) ? value : [value ?? '']) query.append(name, item);
  }
  const search = query.toString();
  return search ? `${request.path}?${search}` : request.path;
}

export function requestBody(request: HttpRequest): string | Uint8Array | undefined {
  const body: unknown = request.body;
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string' || body instanceof Uint8Array) return body;
  // The DynamoDB JSON protocol always serialises a request to one string.
  throw new TypeError('the embedded DynamoDB handler takes a string or byte body, not a stream');
}

/**
 * The SDK's `requestHandler` for the embedded DynamoDB: each signed request is posted to the
 * dynalite worker over a MessagePort, instead of an HTTP round trip on loopback that costs the
 * gateway's event loop a socket write and a response parse per storage call. The SDK still
 * serialises, signs and parses every request exactly as it does against DynamoDB on AWS.
 */
export class MessagePortHttpHandler implements HttpHandler {
  readonly metadata = { handlerProtocol: 'http/1.1' };
  private readonly port: MessagePort;
  private readonly pending = new Map<number, PendingRequest>();
  private nextId = 0;
  /** Why the connection is closed; each request then fails with its own Error (the SDK decorates errors it sees). */
  private closedBecause: string | undefined;

  constructor(port: MessagePort) {
    this.port = port;
    port.on('message', (message: PortHttpResponse) => this.settle(message));
    port.on('close', () => this.fail('the embedded DynamoDB closed its connection'));
    // Like an idle keep-alive socket, the port holds the process open only while requests are in flight.
    port.unref();
  }

  handle(request: HttpRequest, { abortSignal }: HttpHandlerOptions = {}): Promise<{ response: HttpResponse }> {
    if (this.closedBecause) return Promise.reject(new Error(this.closedBecause));
    if (abortSignal?.aborted) return Promise.reject(abortError(abortSignal));
    let message: PortHttpRequest;
    try {
      message = { id: this.nextId++, method: request.method, url: requestUrl(request), headers: request.headers, body: requestBody(request) };
    } catch (error) {
      return Promise.reject(error as Error);
    }
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        this.forget(message.id);
        reject(abortError(abortSignal!));
      };
      const release = abortSignal ? listenForAbort(abortSignal, onAbort) : () => {};
      if (this.pending.size === 0) this.port.ref();
      this.pending.set(message.id, { resolve, reject, release });
      this.port.postMessage(message);
    });
  }

  /** This handler has no settings (no sockets, no timeouts) for the client to change. */
  updateHttpClientConfig(): void {}

  httpHandlerConfigs(): Record<string, never> {
    return {};
  }

  destroy(): void {
    this.fail('the DynamoDB request handler was destroyed');
    this.port.close();
  }

  private settle({ id, statusCode, headers, body }: PortHttpResponse): void {
    const request = this.forget(id);
    request?.resolve({ response: { statusCode, headers, body } });
  }

  private forget(id: number): PendingRequest | undefined {
    const request = this.pending.get(id);
    if (!request) return undefined;
    this.pending.delete(id);
    request.release();
    if (this.pending.size === 0) this.port.unref();
    return request;
  }

  private fail(reason: string): void {
    this.closedBecause ??= reason;
    for (const id of [...this.pending.keys()]) this.forget(id)?.reject(new Error(this.closedBecause));
  }
}
