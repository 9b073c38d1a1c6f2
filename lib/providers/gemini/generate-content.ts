import * as z from 'zod';
import { forwardableHeaders } from '../shared/headers.ts';
import { parseJsonObject, validateFields } from '../shared/json-body.ts';
import { pathSegment } from '../shared/path-segment.ts';
import type { Endpoint } from '../types.ts';
import { summarizeGenerateContent } from './response.ts';
import { geminiSettings } from './settings.ts';
import { googleDialect } from './dialect.ts';
import { observeGeminiJsonArray, observeGeminiSse, type JsonArrayObserver } from './stream.ts';
import { geminiToolAnswer } from './tool-answer.ts';
import { geminiCarriesTools, geminiRequestToolView } from './tool-request.ts';
import type { JsonArrayGuard } from './tool-stream.ts';
import { vertexModelUrl, type VertexTokens } from './vertex.ts';

const generateContentFields = z.looseObject({
  contents: z.array(z.unknown(), 'must be an array of Content objects'),
});

const MODEL_METHOD = /^\/(v1|v1beta|v1alpha)\/models\/([^/:]+):(generateContent|streamGenerateContent)\/?$/;

function decodePath(path: string): string | undefined {
  try {
    return decodeURIComponent(path);
  } catch {
    return undefined;
  }
}

/**
 * `POST /{version}/models/{model}:generateContent` and `:streamGenerateContent` (SSE with
 * `alt=sse`, else a streamed JSON array). The body passes through unchanged; the key the client
 * sent (header or `?key=`) travels upstream only as `x-goog-api-key`, never in the URL. In Vertex
 * AI mode the same request goes to the project's Vertex endpoint with a Google access token.
 */
export function generateContentEndpoint(tokens: VertexTokens): Endpoint {
  return {
    operation: 'chat',
    method: 'POST',
    match(path) {
      const match = MODEL_METHOD.exec(decodePath(path) ?? '');
      return match ? { version: match[1]!, model: match[2]!, method: match[3]! } : undefined;
    },
    async prepare({ request, params, config, apiKey, baseUrl }) {
      const json = parseJsonObject(request.body);
      validateFields(generateContentFields, json);
      const { version, model, method } = params as { version: string; model: string; method: string };
      const stream = method === 'streamGenerateContent';
      const sse = (request.query.get('alt') ?? request.query.get('$alt')) === 'sse';
      const query = new URLSearchParams(request.query);
      query.delete('key');
      const search = query.size > 0 ? `?${query.toString()}` : '';

      const vertex = geminiSettings(config).vertex;
      const target: { url: string; auth: Record<string, string> } = vertex
        ? {
            url: vertexModelUrl(baseUrl, vertex, model, method),
            auth: { authorization: `Bearer ${await tokens.token(vertex)}` },
          }
        : {
            url: `${baseUrl}/${version}/models/${pathSegment(model, 'model')}:${method}`,
            auth: apiKey ? { 'x-goog-api-key': apiKey } : {},
          };
      // The JSON array's error ending depends on how far the array got, which its observer knows
      // (or, when tool calls are guarded, the guard, which may hold elements back).
      let arrayObserver: JsonArrayObserver | undefined;
      let arrayGuard: JsonArrayGuard | undefined;
      return {
        url: `${target.url}${search}`,
        method: 'POST',
        headers: { ...forwardableHeaders(request), 'content-type': 'application/json', ...target.auth },
        body: request.body,
        model,
        stream,
        summarize: summarizeGenerateContent,
        observe: sse ? observeGeminiSse : () => (arrayObserver = observeGeminiJsonArray()),
        streamError: sse
          ? undefined
          : (error) => (arrayGuard ?? arrayObserver)?.errorTail(error) ?? googleDialect.streamError(error),
        // Without alt=sse the stream is a JSON array, served as application/json.
        isStreamResponse: () => true,
        tools: geminiCarriesTools(json)
          ? {
              request: geminiRequestToolView(json),
              response: geminiToolAnswer({ stream: sse ? 'sse' : 'json-array', onArrayGuard: (guard) => (arrayGuard = guard) }),
            }
          : undefined,
      };
    },
  };
}
