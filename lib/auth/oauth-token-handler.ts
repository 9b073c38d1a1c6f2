import { asSluiceError, SluiceError } from '../errors/sluice-error.ts';
import type { SluiceRequest } from '../http/request.ts';
import type { ResponseWriter } from '../http/response.ts';
import type { RequestHandler } from '../proxy/proxy-handler.ts';
import { getRuntime, type Runtime } from '../runtime.ts';
import { LLM_PROXY_SCOPE } from './sluice-tokens.ts';
import { sameDigest, sha256Hex } from './sluice-secrets.ts';

export const OAUTH_TOKEN_PATH = '/oauth/token';
const FAILURE_KIND = 'oauth-client-secret';

/** An RFC 6749 §5.2 error: `{"error", "error_description"}`. */
class OAuthError extends Error {
  readonly status: number;
  readonly error: string;
  readonly basicChallenge: boolean;

  constructor(status: number, error: string, description: string, basicChallenge = false) {
    super(description);
    this.status = status;
    this.error = error;
    this.basicChallenge = basicChallenge;
  }
}

interface ClientCredentials {
  clientId: string;
  clientSecret: string;
  viaBasic: boolean;
}

function readForm(request: SluiceRequest): URLSearchParams {
  const type = (request.headers['content-type'] ?? '').toLowerCase();
  const text = request.body.toString('utf8');
  if (type.startsWith('application/json')) {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new OAuthError(400, 'invalid_request', 'The body is not valid JSON.');
    }
    if (json === null || typeof json !== 'object' || Array.isArray(json)) {
      throw new OAuthError(400, 'invalid_request', 'The body must be a JSON object.');
    }
    return new URLSearchParams(
      Object.entries(json).flatMap(([k, v]) => (typeof v === 'string' ? [[k, v] as [string, string]] : [])),
    );
  }
  if (type !== '' && !type.startsWith('application/x-www-form-urlencoded')) {
    throw new OAuthError(400, 'invalid_request', 'Send the token request as application/x-www-form-urlencoded.');
  }
  return new URLSearchParams(text);
}

/** client_secret_basic (RFC 6749 §2.3.1, form-encoded parts) or client_secret_post, not both. */
function clientCredentials(request: SluiceRequest, form: URLSearchParams): ClientCredentials {
  const header = request.headers.authorization?.trim();
  const basic = header && /^Basic\s+/i.test(header) ? header.replace(/^Basic\s+/i, '') : undefined;
  const postId = form.get('client_id');
  const postSecret = form.get('client_secret');
  if (basic !== undefined) {
    if (postSecret !== null) throw new OAuthError(400, 'invalid_request', 'Authenticate the client one way only: Basic or the body.');
    const decoded = Buffer.from(basic, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) throw new OAuthError(401, 'invalid_client', 'The Basic credentials are malformed.', true);
    try {
      return {
        clientId: decodeURIComponent(decoded.slice(0, colon).replaceAll('+', ' ')),
        clientSecret: decodeURIComponent(decoded.slice(colon + 1).replaceAll('+', ' ')),
        viaBasic: true,
      };
    } catch {
      throw new OAuthError(401, 'invalid_client', 'The Basic credentials are malformed.', true);
    }
  }
  if (!postId || !postSecret) {
    throw new OAuthError(401, 'invalid_client', 'Client authentication is missing: use HTTP Basic or client_id and client_secret.', true);
  }
  return { clientId: postId, clientSecret: postSecret, viaBasic: false };
}

async function issue(request: SluiceRequest, runtime: Runtime): Promise<Record<string, unknown>> {
  if (request.path !== OAUTH_TOKEN_PATH && request.path !== `${OAUTH_TOKEN_PATH}/`) {
    throw new OAuthError(404, 'invalid_request', `No OAuth endpoint at ${request.path}; the token endpoint is ${OAUTH_TOKEN_PATH}.`);
  }
  if (request.method !== 'POST') throw new OAuthError(405, 'invalid_request', 'The token endpoint accepts POST only.');
  const form = readForm(request);
  const grantType = form.get('grant_type');
  if (grantType !== 'client_credentials') {
    throw new OAuthError(400, grantType ? 'unsupported_grant_type' : 'invalid_request', 'grant_type must be client_credentials.');
  }
  const requested = (form.get('scope') ?? LLM_PROXY_SCOPE).split(' ').filter(Boolean);
  if (requested.some((scope) => scope !== LLM_PROXY_SCOPE)) {
    throw new OAuthError(400, 'invalid_scope', `The only scope is ${LLM_PROXY_SCOPE}.`);
  }
  const credentials = clientCredentials(request, form);
  runtime.failedAttempts.assertAllowed(request.sourceIp, FAILURE_KIND);
  const client = await runtime.access.oauthClient(credentials.clientId);
  const valid = client !== undefined && sameDigest(client.secretHash, sha256Hex(credentials.clientSecret)) && !client.revokedAt;
  if (!client || !valid) {
    runtime.failedAttempts.recordFailure(request.sourceIp, FAILURE_KIND);
    throw new OAuthError(401, 'invalid_client', 'Unknown client, wrong secret, or a revoked client.', credentials.viaBasic);
  }
  const token = await runtime.tokens.issue(client.clientId);
  await runtime.access.touch(client).catch(() => undefined);
  return { access_token: token.accessToken, token_type: 'Bearer', expires_in: token.expiresIn, scope: token.scope };
}

async function send(writer: ResponseWriter, status: number, body: unknown, extra: Record<string, string> = {}): Promise<void> {
  await writer.send(
    status,
    { 'content-type': 'application/json', 'cache-control': 'no-store', pragma: 'no-cache', ...extra },
    JSON.stringify(body),
  );
}

/** `POST /oauth/token`: the OAuth 2.0 client credentials grant (RFC 6749 §4.4) for Sluice's OAuth clients. */
export function createOAuthTokenHandler(runtime: () => Runtime = getRuntime): RequestHandler {
  return async (request, writer) => {
    const rt = runtime();
    try {
      await send(writer, 200, await issue(request, rt));
    } catch (caught) {
      if (caught instanceof OAuthError) {
        const challenge: Record<string, string> = caught.basicChallenge ? { 'www-authenticate': 'Basic realm="sluice"' } : {};
        return send(writer, caught.status, { error: caught.error, error_description: caught.message }, challenge);
      }
      const error = asSluiceError(caught);
      if (error instanceof SluiceError && error.status === 429) {
        return send(writer, 429, { error: 'too_many_failed_attempts', error_description: error.message });
      }
      const cause = error.cause ?? caught;
      rt.logger.error('token request failed', { error: cause instanceof Error ? `${cause.name}: ${cause.message}` : 'unknown' });
      return send(writer, 500, { error: 'server_error', error_description: 'Sluice could not issue a token.' });
    }
  };
}
