import type { Config } from '../../config/index.ts';
import { forwardableHeaders } from '../shared/headers.ts';
import type { PrepareInput } from '../types.ts';
import { bearerAuthorization } from './provider.ts';

/** An OpenAI API path, after the provider's base URL. */
export type ApiPath = '/chat/completions' | '/responses' | '/embeddings' | '/models';

/**
 * Where an OpenAI-style call goes and how it authenticates: the part that differs between OpenAI,
 * the OpenAI-compatible providers and Azure. The endpoints (chat, responses, …) stay the same.
 */
export interface UpstreamTarget {
  /** The upstream URL of an API path, given the model the request names. */
  url(input: PrepareInput, apiPath: ApiPath, model: string | undefined): string;
  /** The credential and provider headers of the call. */
  headers(input: PrepareInput): Record<string, string> | Promise<Record<string, string>>;
}

/**
 * `<base URL><API path>` with `Authorization: Bearer <key>`, plus the provider's extra headers;
 * an extra header the client sent itself is left as the client sent it.
 */
export function bearerTarget(extraHeaders?: (config: Config) => Record<string, string>): UpstreamTarget {
  return {
    url: ({ baseUrl }, apiPath) => `${baseUrl}${apiPath}`,
    headers: ({ apiKey, config, request }) => {
      const extra: Record<string, string> = {};
      for (const [name, value] of Object.entries(extraHeaders?.(config) ?? {})) {
        if (request.headers[name] === undefined) extra[name] = value;
      }
      return { ...extra, ...bearerAuthorization(apiKey) };
    },
  };
}

/** The headers of an upstream call: the client's forwardable ones, then the target's. */
export async function upstreamHeaders(
  input: PrepareInput,
  target: UpstreamTarget,
  hasJsonBody: boolean,
): Promise<Record<string, string>> {
  return {
    ...forwardableHeaders(input.request),
    ...(hasJsonBody ? { 'content-type': 'application/json' } : {}),
    ...(await target.headers(input)),
  };
}
