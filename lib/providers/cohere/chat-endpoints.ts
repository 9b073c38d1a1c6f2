import type { z } from 'zod';
import type { RequestToolView, ResponseToolDialect } from '../../security/tool-view.ts';
import { bearerAuthorization } from '../openai-style/provider.ts';
import { forwardableHeaders } from '../shared/headers.ts';
import { parseJsonObject, validateFields } from '../shared/json-body.ts';
import type { JsonObject } from '../shared/json-body.ts';
import { exactPath, type Endpoint, type UpstreamCall } from '../types.ts';
import { chatV1Fields, observeChatV1Stream, summarizeChatV1 } from './chat-v1.ts';
import { chatV2Fields, observeChatV2Stream, summarizeChatV2 } from './chat-v2.ts';
import { cohereV1StreamError } from './dialect.ts';
import { chatV1CarriesTools, chatV1RequestToolView, chatV1ResponseToolDialect } from './tools-v1.ts';
import { chatV2CarriesTools, chatV2RequestToolView, chatV2ResponseToolDialect } from './tools-v2.ts';

interface ToolDialect {
  carriesTools(json: JsonObject): boolean;
  requestView(json: JsonObject, serialize: () => Buffer): RequestToolView;
  response: ResponseToolDialect;
}

interface ChatApi {
  /** The route path after `/v1/cohere[/<profile>]`. */
  path: string;
  /** The upstream path after the base URL. */
  upstreamPath: string;
  fields: z.ZodType<{ model?: string | null; stream?: boolean | null }>;
  reading: Pick<UpstreamCall, 'summarize' | 'observe' | 'streamError'>;
  tools: ToolDialect;
}

function chatEndpoint(api: ChatApi): Endpoint {
  return {
    operation: 'chat',
    method: 'POST',
    match: exactPath(api.path),
    prepare({ request, baseUrl, apiKey }) {
      const json = parseJsonObject(request.body);
      const fields = validateFields(api.fields, json);
      return {
        url: `${baseUrl}${api.upstreamPath}`,
        method: 'POST',
        headers: { ...forwardableHeaders(request), 'content-type': 'application/json', ...bearerAuthorization(apiKey) },
        body: request.body,
        model: fields.model ?? undefined,
        stream: fields.stream === true,
        ...api.reading,
        tools: api.tools.carriesTools(json)
          ? { request: api.tools.requestView(json, () => Buffer.from(JSON.stringify(json))), response: api.tools.response }
          : undefined,
      };
    },
  };
}

const v2 = {
  fields: chatV2Fields,
  reading: { summarize: summarizeChatV2, observe: observeChatV2Stream },
  tools: { carriesTools: chatV2CarriesTools, requestView: chatV2RequestToolView, response: chatV2ResponseToolDialect },
};
const v1 = {
  fields: chatV1Fields,
  reading: { summarize: summarizeChatV1, observe: observeChatV1Stream, streamError: cohereV1StreamError },
  tools: { carriesTools: chatV1CarriesTools, requestView: chatV1RequestToolView, response: chatV1ResponseToolDialect },
};

/**
 * `POST …/v2/chat` (CohereClientV2), `POST …/v1/chat` (CohereClient, the v1 API) and `POST …/chat`
 * (v1, for clients configured with a base URL that ends in `/v1`).
 */
export const cohereChatEndpoints: readonly Endpoint[] = [
  chatEndpoint({ path: '/v2/chat', upstreamPath: '/v2/chat', ...v2 }),
  chatEndpoint({ path: '/v1/chat', upstreamPath: '/v1/chat', ...v1 }),
  chatEndpoint({ path: '/chat', upstreamPath: '/v1/chat', ...v1 }),
];
