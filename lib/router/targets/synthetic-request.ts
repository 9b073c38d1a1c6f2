import type { SluiceRequest } from '../../http/request.ts';
import type { Endpoint, PrepareInput, ProviderAdapter, UpstreamCall } from '../../providers/types.ts';
import type { ProviderAccess } from './types.ts';

type SyntheticFields = {
  method: 'GET' | 'POST';
  path: string;
  query?: Record<string, string>;
  headers: Record<string, string>;
  body?: Buffer;
};

/**
 * The request a provider endpoint would have received had the client called it directly: the
 * router reuses each provider's own `prepare` (URL, credential headers, Entra tokens, usage
 * requests) rather than repeating it.
 */
function syntheticRequest(original: SluiceRequest, fields: SyntheticFields): SluiceRequest {
  return {
    ...original,
    method: fields.method,
    path: fields.path,
    query: new URLSearchParams(fields.query),
    headers: fields.headers,
    body: fields.body ?? Buffer.alloc(0),
  };
}

/** Where and as whom a target calls: what it passes on to its adapter's endpoint besides the request. */
export type EndpointContext = Pick<PrepareInput, 'config' | 'baseUrl' | 'apiKey' | 'profile'> & { request: SluiceRequest };

/** A call prepared by a provider's own endpoint, as if the client had sent it `fields`. */
export async function prepareThrough(
  endpoint: Endpoint,
  { config, baseUrl, apiKey, profile, request }: EndpointContext,
  fields: SyntheticFields,
  params: Record<string, string> = {},
): Promise<UpstreamCall> {
  return endpoint.prepare({ request: syntheticRequest(request, fields), params, profile, config, apiKey, baseUrl });
}

/** A target's on/off, server key and key requirement: its adapter's own. */
export function adapterAccess(adapter: ProviderAdapter): Pick<ProviderAccess, 'howToEnable' | 'baseUrl' | 'defaultKey' | 'keyRequired'> {
  return {
    howToEnable: adapter.howToEnable,
    baseUrl: (config) => adapter.baseUrl(config),
    defaultKey: (config) => adapter.defaultKey(config),
    keyRequired: (config) => adapter.keyRequired(config),
  };
}
