import type { z } from 'zod';
import { bearerAuthorization } from '../openai-style/provider.ts';
import { forwardableHeaders } from '../shared/headers.ts';
import { parseJsonObject, validateFields } from '../shared/json-body.ts';
import { exactPath, type Endpoint, type UpstreamCall } from '../types.ts';
import { chatV1Fields, observeChatV1Stream, summarizeChatV1 } from './chat-v1.ts';
import { chatV2Fields, observeChatV2Stream, summarizeChatV2 } from './chat-v2.ts';
import { cohereV1StreamError } from './dialect.ts';

interface ChatApi {
  /** The route path after `/v1/cohere[/<profile>]`. */
  path: string;
  /** The upstream path after the base URL. */
  upstreamPath: string;
  fields: z.ZodType<{ model?: string | null; stream?: boolean | null }>;
  reading: Pick<UpstreamCall, 'summarize' | 'observe' | 'streamError'>;
}

function chatEndpoint(api: ChatApi): Endpoint {
  return {
    operation: 'chat',
    method: 'POST',
    match: exactPath(api.path),
    prepare({ request, baseUrl, apiKey }) {
      const fields = validateFields(api.fields, parseJsonObject(request.body));
      return {
        url: `${baseUrl}${api.upstreamPath}`,
        method: 'POST',
        headers: { ...forwardableHeaders(request), 'content-type': 'application/json', ...bearerAuthorization(apiKey) },
        body: request.body,
        model: fields.model ?? undefined,
        stream: fields.stream === true,
        ...api.reading,
      };
    },
  };
}

const v2 = { fields: chatV2Fields, reading: { summarize: summarizeChatV2, observe: observeChatV2Stream } };
const v1 = {
  fields: chatV1Fields,
  reading: { summarize: summarizeChatV1, observe: observeChatV1Stream, streamError: cohereV1StreamError },
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
