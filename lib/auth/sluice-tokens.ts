import { randomUUID } from 'node:crypto';
import { jwtVerify, SignJWT } from 'jose';
import { SluiceError } from '../errors/sluice-error.ts';
import type { SigningKeySource } from '../secrets/provider-key-store.ts';
import { rejectedToken } from './jwt-errors.ts';

export const SLUICE_TOKEN_ISSUER = 'urn:sluice';
export const SLUICE_TOKEN_AUDIENCE = 'urn:sluice:llm-proxy';
export const LLM_PROXY_SCOPE = 'llm:proxy';
const ALGORITHM = 'HS256';

export interface IssuedToken {
  accessToken: string;
  expiresIn: number;
  scope: string;
}

/** Sluice's own OAuth access tokens: short-lived JWTs (HS256) naming the client; the client's grant is read when one is used. */
export class SluiceTokens {
  private readonly signingKey: SigningKeySource;
  private readonly ttlSeconds: number;

  constructor(signingKey: SigningKeySource, ttlSeconds: number) {
    this.signingKey = signingKey;
    this.ttlSeconds = ttlSeconds;
  }

  async issue(clientId: string): Promise<IssuedToken> {
    const accessToken = await new SignJWT({ scope: LLM_PROXY_SCOPE, client_id: clientId })
      .setProtectedHeader({ alg: ALGORITHM, typ: 'at+jwt' })
      .setIssuer(SLUICE_TOKEN_ISSUER)
      .setAudience(SLUICE_TOKEN_AUDIENCE)
      .setSubject(clientId)
      .setJti(randomUUID())
      .setIssuedAt()
      .setExpirationTime(`${this.ttlSeconds}s`)
      .sign(await this.signingKey.get());
    return { accessToken, expiresIn: this.ttlSeconds, scope: LLM_PROXY_SCOPE };
  }

  /** The client id a valid token names; a 401 for a bad, tampered or expired token, a 403 without the scope. */
  async verify(token: string): Promise<string> {
    let payload;
    try {
      ({ payload } = await jwtVerify(token, await this.signingKey.get(), {
        issuer: SLUICE_TOKEN_ISSUER,
        audience: SLUICE_TOKEN_AUDIENCE,
        algorithms: [ALGORITHM],
        requiredClaims: ['exp', 'sub'],
      }));
    } catch (error) {
      throw rejectedToken(error, 'access token') ?? error;
    }
    const scopes = typeof payload.scope === 'string' ? payload.scope.split(' ') : [];
    if (!scopes.includes(LLM_PROXY_SCOPE)) {
      throw new SluiceError('forbidden', `The access token lacks the '${LLM_PROXY_SCOPE}' scope.`, { code: 'insufficient_scope' });
    }
    return payload.sub!;
  }
}
