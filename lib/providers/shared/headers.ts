import type { SluiceRequest } from '../../http/request.ts';

/** Never forwarded upstream: hop-by-hop, framing, Sluice's own, and where the caller came from. */
const DROPPED_REQUEST_HEADERS = new Set([
  'host',
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'content-length',
  'accept-encoding',
  'expect',
  'forwarded',
  'via',
  'cookie',
  'authorization',
  'x-api-key',
  'api-key',
  'x-goog-api-key',
]);

const DROPPED_REQUEST_PREFIXES = ['x-sluice-', 'x-forwarded-', 'x-amzn-', 'x-amz-', 'cloudfront-', 'x-real-ip'];

/**
 * The client's headers to pass upstream (SDK version headers, beta flags, …), without the ones
 * that must not travel. Credentials are dropped here and set by the provider for the key in use.
 */
export function forwardableHeaders(request: SluiceRequest): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (DROPPED_REQUEST_HEADERS.has(name)) continue;
    if (DROPPED_REQUEST_PREFIXES.some((prefix) => name.startsWith(prefix))) continue;
    headers[name] = value;
  }
  // Sluice reads the body to find usage: it must arrive unencoded.
  headers['accept-encoding'] = 'identity';
  return headers;
}

const DROPPED_RESPONSE_HEADERS = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'content-length',
  'content-encoding',
  'trailer',
  'upgrade',
  'set-cookie',
  'alt-svc',
  'date',
  'server',
]);

/** The upstream's response headers as the client should see them. */
export function relayableHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || DROPPED_RESPONSE_HEADERS.has(name)) continue;
    out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

/** The token of an `Authorization: Bearer …` header. */
export function bearerToken(request: SluiceRequest): string | undefined {
  const value = request.headers.authorization;
  if (!value) return undefined;
  const match = /^Bearer\s+(.+)$/i.exec(value.trim());
  return match?.[1]?.trim() || undefined;
}
