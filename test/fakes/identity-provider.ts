import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWTPayload } from 'jose';
import { FakeServer } from './fake-server.ts';

export interface TestIdentityProvider {
  issuer: string;
  jwksUrl: string;
  server: FakeServer;
  /** A token signed with the provider's key (RS256), valid for an hour unless the claims say otherwise. */
  sign(claims: JWTPayload, options?: { expiresIn?: string | number; key?: CryptoKey; kid?: string }): Promise<string>;
  close(): Promise<void>;
}

/** A local identity provider: an RSA key pair from jose and its public JWKS served over HTTP. */
export async function startIdentityProvider(issuer = 'https://idp.sluice.test'): Promise<TestIdentityProvider> {
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'test-key-1', alg: 'RS256', use: 'sig' };
  const server = await new FakeServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ keys: [jwk] }));
  }).start();
  return {
    issuer,
    jwksUrl: `${server.url}/.well-known/jwks.json`,
    server,
    async sign(claims, options = {}) {
      return new SignJWT(claims)
        .setProtectedHeader({ alg: 'RS256', kid: options.kid ?? 'test-key-1' })
        .setIssuer(claims.iss ?? issuer)
        .setIssuedAt()
        .setExpirationTime(options.expiresIn ?? '1h')
        .sign(options.key ?? privateKey);
    },
    close: () => server.close(),
  };
}

/** An unsigned JWT (`alg: none`) with these claims. */
export function unsecuredToken(claims: JWTPayload): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${encode({ alg: 'none', typ: 'JWT' })}.${encode(claims)}.`;
}

/** The token with its payload replaced by these claims and the original signature kept. */
export function withForgedClaims(token: string, claims: JWTPayload): string {
  const [header, payload, signature] = token.split('.');
  const original = JSON.parse(Buffer.from(payload!, 'base64url').toString('utf8')) as JWTPayload;
  return `${header}.${Buffer.from(JSON.stringify({ ...original, ...claims })).toString('base64url')}.${signature}`;
}
