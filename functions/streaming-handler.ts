import type { RequestHandler } from '../lib/proxy/proxy-handler.ts';
import { requestFromFunctionUrlEvent } from '../lib/http/request.ts';
import { ResponseWriter } from '../lib/http/response.ts';

/**
 * Wraps a request handler as a Lambda response-streaming handler for a Function URL.
 *
 * awslambda.streamifyResponse is used directly rather than through middy 7's
 * executionModeStreamifyResponse: the engine already owns body parsing, error rendering in each
 * dialect and the write path, so middy would add a layer per request and a dependency per bundle
 * without taking any work away.
 */
export function streamingHandler(handle: RequestHandler): awslambda.StreamingHandler {
  return awslambda.streamifyResponse(async (event, responseStream) => {
    const request = requestFromFunctionUrlEvent(event);
    const writer = new ResponseWriter(responseStream, awslambda.HttpResponseStream);
    await handle(request, writer);
    if (!writer.started) await writer.send(500, { 'content-type': 'application/json' }, '{"message":"no response"}');
    await writer.delivered();
  });
}
