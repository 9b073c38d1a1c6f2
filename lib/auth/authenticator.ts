import { decodeJwt } from 'jose';
import type { Config } from '../config/index.ts';
import { SluiceError } from '../errors/sluice-error.ts';
import type { SluiceRequest } from '../http/request.ts';
import type { Logger } from '../observability/logger.ts';
import type { Profile } from '../profiles/profile.ts';
import { bearerToken } from '../providers/shared/headers.ts';
import type { ProviderAdapter } from '../providers/types.ts';
import type { ProviderKeyStore } from '../secrets/provider-key-store.ts';
import { credentialStatus, type AccessRecord } from './access-records.ts';
import type { AccessStore } from './access-store.ts';
import type { FailedAttemptLimiter } from './failed-attempts.ts';
import { mappedKey, providerKeyFor, type CredentialRef } from './grant.ts';
import { mappingForClaims, type JwksVerifier } from './jwks-verifier.ts';
import { virtualKeyLimits, type SubjectLimits } from '../limits/limit.ts';
import { profileAuth, type JwksTrust } from './profile-auth.ts';
import { isSluiceSecret, sameDigest, sha256Hex } from './sluice-secrets.ts';
import { SLUICE_TOKEN_ISSUER, type SluiceTokens } from './sluice-tokens.ts';

/** What the request path gets back: the key to use upstream, and which credential the caller used. */
export interface UpstreamAccess {
  apiKey: string | undefined;
  /** The provider key's own base URL, when it has one. */
  baseUrl?: string;
  credential?: CredentialRef;
  /** The usage limits of the virtual key used, if it has any. */
  limits?: SubjectLimits;
  /** What the client sent as credentials: to be redacted from anything Sluice writes. */
  presented: string[];
}

export interface AuthorizeInput {
  request: SluiceRequest;
  provider: Pick<ProviderAdapter, 'id' | 'displayName' | 'clientKey' | 'defaultKey'>;
  profile: Profile;
  config: Config;
}

type SluiceCredential =
  | { kind: 'virtual-key'; secret: string }
  | { kind: 'oauth-client'; token: string }
  | { kind: 'jwks'; token: string; trust: JwksTrust };

export interface AuthenticatorDependencies {
  access: AccessStore;
  providerKeys: ProviderKeyStore;
  tokens: SluiceTokens;
  jwks: JwksVerifier;
  limiter: FailedAttemptLimiter;
  logger: Logger;
}

/** The `iss` of a string shaped like a JWT, read without verifying it; undefined for anything else. */
function unverifiedIssuer(value: string): string | undefined {
  if (value.split('.').length !== 3) return undefined;
  try {
    const issuer = decodeJwt(value).iss;
    return typeof issuer === 'string' ? issuer : undefined;
  } catch {
    return undefined;
  }
}

function classify(value: string, jwks: JwksTrust | undefined): SluiceCredential | undefined {
  if (isSluiceSecret(value)) return { kind: 'virtual-key', secret: value };
  const issuer = unverifiedIssuer(value);
  if (issuer === undefined) return undefined;
  if (issuer === SLUICE_TOKEN_ISSUER) return { kind: 'oauth-client', token: value };
  if (jwks && issuer === jwks.issuer) return { kind: 'jwks', token: value, trust: jwks };
  return undefined;
}

const unauthorized = (message: string, code: string) => new SluiceError('unauthorized', message, { code });

/**
 * Who may call, and with which upstream key. The order of checks (docs/auth-and-cli.md):
 *
 * 1. Credentials are read from the provider's own key slot (as its SDK sends the API key), from
 *    `Authorization: Bearer` and from `x-api-key`.
 * 2. A Sluice credential is a virtual key (`sk-sluice-…`), a Sluice OAuth access token (a JWT
 *    issued by Sluice) or a JWT of the identity provider the profile trusts (its `iss`). Anything
 *    else is a provider key.
 * 3. Two different Sluice credentials: 400. One: it alone decides; a failure is final (401 or
 *    403), never a fall back to a provider key or the server's key. Failed attempts are limited
 *    per source address and credential kind (429 once used up).
 * 4. No Sluice credential: the provider key in the provider's own slot is passed through, unless
 *    the profile sets `auth.allowProviderKeys: false` (401).
 * 5. No key at all: the server default key, unless the profile sets `auth.allowDefaultKey: false`.
 */
export class Authenticator {
  private readonly deps: AuthenticatorDependencies;

  constructor(deps: AuthenticatorDependencies) {
    this.deps = deps;
  }

  async authorize({ request, provider, profile, config }: AuthorizeInput): Promise<UpstreamAccess> {
    const auth = profileAuth(profile);
    const providerSlot = provider.clientKey(request);
    const presented = [...new Set([providerSlot, bearerToken(request), request.headers['x-api-key']?.trim()])].filter(
      (value): value is string => typeof value === 'string' && value !== '',
    );
    const sluiceCredentials = presented
      .map((value) => classify(value, auth.jwks))
      .filter((credential) => credential !== undefined);
    if (sluiceCredentials.length > 1) {
      throw new SluiceError('bad_request', 'The request carries more than one Sluice credential; send exactly one.', {
        code: 'ambiguous_credentials',
      });
    }
    const [credential] = sluiceCredentials;
    if (credential) {
      return { ...(await this.verify(credential, request, profile.id, provider.id)), presented };
    }
    const requireSluice = () =>
      unauthorized(
        `Profile '${profile.id}' accepts only Sluice credentials: a virtual key, an OAuth access token or a trusted identity token.`,
        'sluice_credential_required',
      );
    if (providerSlot) {
      if (auth.allowProviderKeys === false) throw requireSluice();
      return { apiKey: providerSlot, credential: { kind: 'provider-key' }, presented };
    }
    const fallback = auth.allowDefaultKey === false ? undefined : provider.defaultKey(config);
    if (fallback) return { apiKey: fallback, credential: { kind: 'default-key' }, presented };
    if (auth.allowProviderKeys === false) throw requireSluice();
    return { apiKey: undefined, presented };
  }

  /** Checks one Sluice credential, counting a 401 against its source and kind. */
  private async verify(
    credential: SluiceCredential,
    request: SluiceRequest,
    profileId: string,
    providerId: string,
  ): Promise<Omit<UpstreamAccess, 'presented'>> {
    const { limiter } = this.deps;
    const kind = credential.kind === 'jwks' ? `jwks:${credential.trust.issuer}` : credential.kind;
    limiter.assertAllowed(request.sourceIp, kind);
    try {
      switch (credential.kind) {
        case 'virtual-key':
          return await this.virtualKey(credential.secret, profileId, providerId);
        case 'oauth-client':
          return await this.oauthClient(credential.token, profileId, providerId);
        case 'jwks':
          return await this.identityToken(credential.token, credential.trust, providerId);
      }
    } catch (error) {
      if (error instanceof SluiceError && error.kind === 'unauthorized') limiter.recordFailure(request.sourceIp, kind);
      throw error;
    }
  }

  private async virtualKey(secret: string, profileId: string, providerId: string) {
    const hash = sha256Hex(secret);
    const record = await this.deps.access.virtualKey(hash);
    if (!record || !sameDigest(record.id, hash)) throw unauthorized('The virtual key is not valid.', 'invalid_api_key');
    const status = credentialStatus(record);
    if (status !== 'active') throw unauthorized(`The virtual key is ${status}.`, `credential_${status}`);
    const keyId = providerKeyFor(record, profileId, providerId, 'virtual key');
    const upstream = await this.providerKey(providerId, keyId);
    await this.touch(record);
    return { ...upstream, credential: { kind: 'virtual-key' as const, id: record.id }, limits: virtualKeyLimits(record) };
  }

  private async oauthClient(token: string, profileId: string, providerId: string) {
    const clientId = await this.deps.tokens.verify(token);
    const client = await this.deps.access.oauthClient(clientId);
    if (!client || client.revokedAt) throw unauthorized('The OAuth client of this token no longer exists or is revoked.', 'client_revoked');
    const keyId = providerKeyFor(client, profileId, providerId, 'OAuth client');
    const upstream = await this.providerKey(providerId, keyId);
    await this.touch(client);
    return { ...upstream, credential: { kind: 'oauth-client' as const, id: client.clientId } };
  }

  private async identityToken(token: string, trust: JwksTrust, providerId: string) {
    const claims = await this.deps.jwks.verify(token, trust);
    const mapping = mappingForClaims(claims, trust);
    if (!mapping) {
      throw new SluiceError('forbidden', 'No provider keys are mapped for the claims of this identity token.', {
        code: 'provider_not_allowed',
      });
    }
    const keyId = mappedKey(mapping, providerId, 'identity token');
    const upstream = await this.providerKey(providerId, keyId);
    return { ...upstream, credential: { kind: 'jwks' as const, id: typeof claims.sub === 'string' ? claims.sub : trust.issuer } };
  }

  private async providerKey(providerId: string, keyId: string) {
    const secret = await this.deps.providerKeys.resolve(providerId, keyId);
    if (!secret) {
      throw new SluiceError('forbidden', `The credential maps ${providerId} to provider key '${keyId}', which does not exist.`, {
        code: 'provider_key_missing',
      });
    }
    return { apiKey: secret.apiKey, baseUrl: secret.baseUrl };
  }

  /** Last use is bookkeeping: a failure to record it is logged and never fails the request. */
  private async touch(record: AccessRecord): Promise<void> {
    try {
      await this.deps.access.touch(record);
    } catch (error) {
      this.deps.logger.warn('could not record a credential last use', {
        credentialKind: record.kind,
        error: error instanceof Error ? error.name : 'unknown',
      });
    }
  }
}
