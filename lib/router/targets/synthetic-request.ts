import type { SluiceRequest } from '../../http/request.ts';

/**
 * The request a provider endpoint would have received had the client called it directly: the
 * router reuses each provider's own `prepare` (URL, credential headers, Entra tokens, usage
 * requests) rather than repeating it.
 */
export function syntheticRequest(
  original: SluiceRequest,
  fields: { method: 'GET' | 'POST'; path: string; query?: Record<string, string>; headers: Record<string, string>; body?: Buffer },
): SluiceRequest {
  return {
    ...original,
    method: fields.method,
    path: fields.path,
    query: new URLSearchParams(fields.query),
    headers: fields.headers,
    body: fields.body ?? Buffer.alloc(0),
  };
}
