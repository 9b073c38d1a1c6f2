import { EventEmitter } from 'node:events';
import type { MessagePort } from 'node:worker_threads';
import type { PortHttpRequest, PortHttpResponse } from './port-http-messages.ts';

const utf8 = new TextEncoder();

/** The members of node's IncomingMessage that dynalite's request listener reads. */
export class InMemoryRequest extends EventEmitter {
  readonly method: string;
  readonly url: string;
  readonly headers: Record<string, string>;

  constructor(message: Omit<PortHttpRequest, 'id'>) {
    super();
    this.method = message.method;
    this.url = message.url;
    this.headers = {};
    for (const [name, value] of Object.entries(message.headers)) this.headers[name.toLowerCase()] = value;
  }
}

/** The members of node's ServerResponse that dynalite's request listener uses. */
export class InMemoryResponse {
  statusCode = 200;
  /** dynalite keeps the negotiated content type on the response object between its own calls. */
  contentType: string | undefined;
  /** Names lowercased, as node:http delivers them to a client. */
  readonly headers: Record<string, string> = {};
  private readonly onEnd: (response: InMemoryResponse, body: Uint8Array<ArrayBuffer>) => void;

  constructor(onEnd: (response: InMemoryResponse, body: Uint8Array<ArrayBuffer>) => void) {
    this.onEnd = onEnd;
  }

  setHeader(name: string, value: string | number): void {
    this.headers[name.toLowerCase()] = String(value);
  }

  end(body?: string | Uint8Array): void {
    // A fresh buffer (never a slice of node's shared pool), so that it can be transferred, not copied.
    const bytes = typeof body === 'string' ? utf8.encode(body) : body ? Uint8Array.from(body) : new Uint8Array(0);
    this.onEnd(this, bytes);
  }
}

function asBuffer(body: string | Uint8Array): Buffer {
  return typeof body === 'string' ? Buffer.from(body) : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
}

export type InMemoryRequestListener = (request: InMemoryRequest, response: InMemoryResponse) => void;

/**
 * Runs one HTTP exchange through an HTTP server's request listener, without a socket or an HTTP
 * parser: the request's body is emitted as one 'data' event, and `onEnd` receives the response.
 */
export function callRequestListener(
  listener: InMemoryRequestListener,
  message: Omit<PortHttpRequest, 'id'>,
  onEnd: (response: InMemoryResponse, body: Uint8Array<ArrayBuffer>) => void,
): void {
  const request = new InMemoryRequest(message);
  listener(request, new InMemoryResponse(onEnd));
  const body = message.body;
  if (body !== undefined && body.length > 0) request.emit('data', asBuffer(body));
  request.emit('end');
}

/** Serves the HTTP requests that arrive on `port` with an HTTP server's request listener, posting each response back. */
export function serveRequestListenerOverPort(port: MessagePort, listener: InMemoryRequestListener): void {
  port.on('message', (message: PortHttpRequest) => {
    callRequestListener(listener, message, (ended, body) => {
      const reply: PortHttpResponse = { id: message.id, statusCode: ended.statusCode, headers: ended.headers, body };
      port.postMessage(reply, [body.buffer]);
    });
  });
}
