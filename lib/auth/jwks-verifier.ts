import { createRemoteJWKSet, jwtVerify, type JWTPayload } from 'jose';
import { SluiceError } from '../errors/sluice-error.ts';
import { rejectedToken } from './jwt-errors.ts';
import type { JwksTrust } from './profile-auth.ts';

/** Asymmetric algorithms only: a JWKS never carries a shared secret, and `none` is never accepted. */
const ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'];

/**
 * Verifies JWTs of external identity providers against their remote JWKS (jose's
 * createRemoteJWKSet: keys cached, refetched for an unknown `kid` after a cooldown). One key set per
 * JWKS URL per process.
 */
export class JwksVerifier {
  private readonly sets = new Map<string, ReturnType<typeof createRemoteJWKSet>>();
  private readonly cacheMaxAgeMs: number;

  constructor(cacheMaxAgeMs: number) {
    this.cacheMaxAgeMs = cacheMaxAgeMs;
  }

  async verify(token: string, trust: JwksTrust): Promise<JWTPayload> {
    try {
      const { payload } = await jwtVerify(token, this.keySet(trust.jwksUrl), {
        issuer: trust.issuer,
        audience: trust.audience,
        algorithms: ALGORITHMS,
        requiredClaims: ['exp'],
      });
      return payload;
    } catch (error) {
      const rejected = rejectedToken(error, 'identity token');
      if (rejected) throw rejected;
      throw new SluiceError('upstream_error', "The identity provider's key set (JWKS) could not be read.", {
        code: 'jwks_unavailable',
        cause: error,
      });
    }
  }

  private keySet(url: string): ReturnType<typeof createRemoteJWKSet> {
    let set = this.sets.get(url);
    if (!set) {
      set = createRemoteJWKSet(new URL(url), { cacheMaxAge: this.cacheMaxAgeMs, cooldownDuration: 30_000, timeoutDuration: 5000 });
      this.sets.set(url, set);
    }
    return set;
  }
}

/** The value at a claim path (`a.b.c`). */
function claimAt(payload: JWTPayload, path: string): unknown {
  let value: unknown = payload;
  for (const part of path.split('.')) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

/** The provider keys a verified token's claims select: the first matching rule, else the profile's default. */
export function mappingForClaims(payload: JWTPayload, trust: JwksTrust): Record<string, string> | undefined {
  for (const rule of trust.rules ?? []) {
    const value = claimAt(payload, rule.claim);
    const present = Array.isArray(value) ? value.map(String) : value === undefined || value === null ? [] : [String(value)];
    if (present.some((v) => rule.values.includes(v))) return rule.providerKeys;
  }
  return trust.providerKeys;
}
