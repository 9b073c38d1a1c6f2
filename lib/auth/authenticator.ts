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
import { assertProfileAllowed, mappedKey, type CredentialRef } from './grant.ts';
import { mappingForClaims, type JwksVerifier } from './jwks-verifier.ts';
import { virtualKeyLimits, type SubjectLimits } from '../limits/limit.ts';
import { profileAuth, type JwksTrust } from './profile-auth.ts';
import { isSluiceSecret, sameDigest, sha256Hex } from './sluice-secrets.ts';
import { SLUICE_TOKEN_ISSUER, type SluiceTokens } from './sluice-tokens.ts';

/** The upstream key one provider gets for a request, and which credential chose it. */
export interface ProviderKeyChoice {
  apiKey: string | undefined;
  /** The provider key's own base URL, when it has one. */
  baseUrl?: string;
  credential?: CredentialRef;
}

/** A provider a request reaches, as far as choosing its upstream key goes. */
export interface KeyedProvider {
  id: string;
  /** Its server default key (SLUICE_<P>_API_KEY), when one is set. */
  defaultKey: string | undefined;
}

/**
 * The upstream key of any provider for this request's credential: what a route in front of several
 * providers (the model router) asks once per provider it reaches, under the same rules as a
 * provider's own route.
 */
export interface UpstreamKeys {
  /**
   * With a Sluice credential: the provider key its mappings give the provider (403
   * `provider_not_allowed` when none, `provider_key_missing` when the key is gone). Without one:
   * the provider's server default key unless the profile sets `allowDefaultKey: false`; else
   * undefined, or a 401 when the client sent no key and the profile accepts only Sluice credentials.
   */
  keyFor(provider: KeyedProvider): Promise<ProviderKeyChoice | undefined>;
}

/** What the request path gets back: the key to use upstream, and which credential the caller used. */
export interface UpstreamAccess extends ProviderKeyChoice, UpstreamKeys {
  /** The usage limits of the virtual key used, if it has any. */
  limits?: SubjectLimits;
  /** What the client sent as credentials: to be redacted from anything Sluice writes. */
  presented: string[];
}

export interface AuthorizeInput {
  request: SluiceRequest;
  provider: Pick<ProviderAdapter, 'id' | 'displayName' | 'clientKey' | 'defaultKey' | 'keysPerProvider'>;
  profile: Profile;
  config: Config;
}

/** A Sluice credential that passed its checks, before any provider's key is chosen. */
interface VerifiedCaller {
  credential: CredentialRef;
  limits?: SubjectLimits;
  /** The provider key id it maps a provider to; a 403 for a provider it has none for. */
  keyId(providerId: string): string;
  /** The record whose last use is written once the request is let in. */
  record?: AccessRecord;
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
 *
 * A route in front of several providers (`keysPerProvider`, the model router) is checked the same
 * way, except that no key is chosen for the route itself: the answer's `keyFor` chooses each
 * provider's key, by the same rules, once the route knows which providers it calls.
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
      const caller = await this.verify(credential, request, profile.id);
      const keyFor = async ({ id }: KeyedProvider): Promise<ProviderKeyChoice> => ({
        ...(await this.providerKey(id, caller.keyId(id))),
        credential: caller.credential,
      });
      // A route in front of several providers asks for each one's key once it knows which it calls.
      const own = provider.keysPerProvider ? { apiKey: undefined } : await keyFor({ id: provider.id, defaultKey: undefined });
      if (caller.record) await this.touch(caller.record);
      return { ...own, credential: caller.credential, limits: caller.limits, presented, keyFor };
    }
    const requireSluice = () =>
      unauthorized(
        `Profile '${profile.id}' accepts only Sluice credentials: a virtual key, an OAuth access token or a trusted identity token.`,
        'sluice_credential_required',
      );
    const keyFor = async ({ defaultKey }: KeyedProvider): Promise<ProviderKeyChoice | undefined> => {
      const fallback = auth.allowDefaultKey === false ? undefined : defaultKey;
      if (fallback) return { apiKey: fallback, credential: { kind: 'default-key' } };
      if (!providerSlot && auth.allowProviderKeys === false) throw requireSluice();
      return undefined;
    };
    if (providerSlot) {
      if (auth.allowProviderKeys === false) throw requireSluice();
      return { apiKey: providerSlot, credential: { kind: 'provider-key' }, presented, keyFor };
    }
    if (provider.keysPerProvider) return { apiKey: undefined, presented, keyFor };
    const fallback = await keyFor({ id: provider.id, defaultKey: provider.defaultKey(config) });
    return { apiKey: undefined, ...fallback, presented, keyFor };
  }

  /** Checks one Sluice credential and its profile, counting a 401 against its source and kind. */
  private async verify(credential: SluiceCredential, request: SluiceRequest, profileId: string): Promise<VerifiedCaller> {
    const { limiter } = this.deps;
    const kind = credential.kind === 'jwks' ? `jwks:${credential.trust.issuer}` : credential.kind;
    limiter.assertAllowed(request.sourceIp, kind);
    try {
      switch (credential.kind) {
        case 'virtual-key':
          return await this.virtualKey(credential.secret, profileId);
        case 'oauth-client':
          return await this.oauthClient(credential.token, profileId);
        case 'jwks':
          return await this.identityToken(credential.token, credential.trust);
      }
    } catch (error) {
      if (error instanceof SluiceError && error.kind === 'unauthorized') limiter.recordFailure(request.sourceIp, kind);
      throw error;
    }
  }

  private async virtualKey(secret: string, profileId: string): Promise<VerifiedCaller> {
    const hash = sha256Hex(secret);
    const record = await this.deps.access.virtualKey(hash);
    if (!record || !sameDigest(record.id, hash)) throw unauthorized('The virtual key is not valid.', 'invalid_api_key');
    const status = credentialStatus(record);
    if (status !== 'active') throw unauthorized(`The virtual key is ${status}.`, `credential_${status}`);
    assertProfileAllowed(record, profileId, 'virtual key');
    return {
      credential: { kind: 'virtual-key', id: record.id },
      limits: virtualKeyLimits(record),
      keyId: (providerId) => mappedKey(record.providerKeys, providerId, 'virtual key'),
      record,
    };
  }

  private async oauthClient(token: string, profileId: string): Promise<VerifiedCaller> {
    const clientId = await this.deps.tokens.verify(token);
    const client = await this.deps.access.oauthClient(clientId);
    if (!client || client.revokedAt) throw unauthorized('The OAuth client of this token no longer exists or is revoked.', 'client_revoked');
    assertProfileAllowed(client, profileId, 'OAuth client');
    return {
      credential: { kind: 'oauth-client', id: client.clientId },
      keyId: (providerId) => mappedKey(client.providerKeys, providerId, 'OAuth client'),
      record: client,
    };
  }

  private async identityToken(token: string, trust: JwksTrust): Promise<VerifiedCaller> {
    const claims = await this.deps.jwks.verify(token, trust);
    const mapping = mappingForClaims(claims, trust);
    if (!mapping) {
      throw new SluiceError('forbidden', 'No provider keys are mapped for the claims of this identity token.', {
        code: 'provider_not_allowed',
      });
    }
    return {
      credential: { kind: 'jwks', id: typeof claims.sub === 'string' ? claims.sub : trust.issuer },
      keyId: (providerId) => mappedKey(mapping, providerId, 'identity token'),
    };
  }

  private async providerKey(providerId: string, keyId: string): Promise<{ apiKey: string; baseUrl?: string }> {
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
