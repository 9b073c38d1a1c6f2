import { redact } from '../proxy/redact.ts';
import { readBody, type UpstreamResponse } from '../upstream/upstream-client.ts';

const MAX_ERROR_BYTES = 1024 * 1024;

const typeOfStatus = (status: number): string => {
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 404) return 'not_found_error';
  if (status === 429) return 'rate_limit_error';
  if (status >= 500) return 'api_error';
  return 'invalid_request_error';
};

/** The message and code of an error body, whatever the provider (Anthropic, Google, Cohere, AWS). */
export function readNativeError(body: Buffer, headers: UpstreamResponse['headers']): { message: string; code?: string } {
  const text = body.toString('utf8', 0, Math.min(body.byteLength, 8192));
  const amzType = headers['x-amzn-errortype'];
  const awsCode = typeof amzType === 'string' ? amzType.split(':', 1)[0] : undefined;
  try {
    const json = JSON.parse(text) as { error?: unknown; message?: unknown };
    const error = json.error as { message?: unknown; type?: unknown; status?: unknown; code?: unknown } | string | undefined;
    const message = typeof error === 'object' && error !== null ? error.message : (error ?? json.message);
    const code = typeof error === 'object' && error !== null ? (error.type ?? error.status ?? error.code) : undefined;
    if (typeof message === 'string' && message !== '') {
      return { message, code: typeof code === 'string' ? code : awsCode };
    }
  } catch {
    // not JSON: its text
  }
  return { message: text.trim().slice(0, 500) || `HTTP error`, code: awsCode };
}

/**
 * An upstream error of a translated provider as an OpenAI error object, keeping its status (and
 * Retry-After), so that the OpenAI SDKs raise their own typed errors for it.
 */
export async function openAiErrorResponse(
  upstream: UpstreamResponse,
  providerName: string,
  secrets: ReadonlyArray<string | undefined>,
): Promise<UpstreamResponse> {
  const body = await readBody(upstream, MAX_ERROR_BYTES);
  const { message, code } = readNativeError(body, upstream.headers);
  const error = {
    error: {
      message: redact(`${providerName}: ${message}`, secrets),
      type: typeOfStatus(upstream.status),
      param: null,
      code: code ?? `upstream_${upstream.status}`,
    },
  };
  const retryAfter = upstream.headers['retry-after'];
  return bufferedResponse(upstream.status, {
    'content-type': 'application/json',
    ...(typeof retryAfter === 'string' ? { 'retry-after': retryAfter } : {}),
  }, Buffer.from(JSON.stringify(error)));
}

/** A response whose whole body is already in hand. */
export function bufferedResponse(status: number, headers: Record<string, string>, body: Buffer): UpstreamResponse {
  return {
    status,
    headers,
    body: (async function* () {
      yield body;
    })(),
    cancel: () => undefined,
  };
}
