import type { HttpHandler } from '@smithy/core/protocols';
import type { HttpRequest, HttpResponse } from '@smithy/types';
import { requestBody, requestUrl } from './message-port-http-handler.ts';
import { callRequestListener, type InMemoryRequestListener } from './request-listener-over-port.ts';

/**
 * The SDK's `requestHandler` for a client in the embedded DynamoDB's own thread: each signed
 * request goes straight to dynalite's request listener, with no socket and no message in between.
 */
export class RequestListenerHttpHandler implements HttpHandler {
  readonly metadata = { handlerProtocol: 'http/1.1' };
  private readonly listener: InMemoryRequestListener;

  constructor(listener: InMemoryRequestListener) {
    this.listener = listener;
  }

  handle(request: HttpRequest): Promise<{ response: HttpResponse }> {
    return new Promise((resolve, reject) => {
      try {
        const message = { method: request.method, url: requestUrl(request), headers: request.headers, body: requestBody(request) };
        callRequestListener(this.listener, message, (ended, body) => {
          resolve({ response: { statusCode: ended.statusCode, headers: ended.headers, body } });
        });
      } catch (error) {
        reject(error as Error);
      }
    });
  }

  /** This handler has no settings (no sockets, no timeouts) for the client to change. */
  updateHttpClientConfig(): void {}

  httpHandlerConfigs(): Record<string, never> {
    return {};
  }

  destroy(): void {}
}
