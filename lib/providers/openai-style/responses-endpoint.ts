import { observeResponseStream, prepareResponsesBody, summarizeResponse } from '../openai/responses.ts';
import { exactPath, type Endpoint } from '../types.ts';
import { bearerTarget, upstreamHeaders, type UpstreamTarget } from './upstream-target.ts';

export interface ResponsesEndpointOptions {
  target?: UpstreamTarget;
  match?: Endpoint['match'];
}

/** `POST …/responses` (OpenAI Responses API), plain or streamed; usage from the final response. */
export function responsesEndpoint(options: ResponsesEndpointOptions = {}): Endpoint {
  const target = options.target ?? bearerTarget();
  return {
    operation: 'responses',
    method: 'POST',
    match: options.match ?? exactPath('/responses'),
    async prepare(input) {
      const prepared = prepareResponsesBody(input.request.body);
      return {
        url: target.url(input, '/responses', prepared.model),
        method: 'POST',
        headers: await upstreamHeaders(input, target, true),
        body: prepared.body,
        model: prepared.model,
        stream: prepared.stream,
        summarize: summarizeResponse,
        observe: observeResponseStream,
      };
    },
  };
}
