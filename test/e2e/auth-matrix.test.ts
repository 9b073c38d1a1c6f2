import OpenAI from 'openai';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SignJWT, generateKeyPair } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { FakeServer } from '../fakes/fake-server.ts';
import { startIdentityProvider, unsecuredToken, withForgedClaims, type TestIdentityProvider } from '../fakes/identity-provider.ts';
import { openAiChat, startFakeOpenAi } from '../fakes/openai-upstream.ts';
import { adminApi, type AdminApi } from '../support/admin.ts';
import { startGateway, type TestGateway } from '../support/gateway.ts';

const PROD_KEY = 'sk-proj-prod-provider-key-abcdef';
const CLIENT_PROVIDER_KEY = 'sk-proj-client-own-key-123456';
const SERVER_DEFAULT_KEY = 'sk-proj-server-default-key-7890';
const AUDIENCE = 'sluice-team-a';

let fake: FakeServer;
let gateway: TestGateway;
let idp: TestIdentityProvider;
let admin: AdminApi;
const keys: Record<string, string> = {};
const tokens: Record<string, string> = {};
let signingKey: Uint8Array;

interface Created {
  secret: string;
  key: { id: string };
}

async function virtualKey(name: string, profiles: string[], providerKeys: Record<string, string>, expiresAt?: string) {
  const created = await admin.create<Created>('/admin/virtual-keys', { name, profiles, providerKeys, expiresAt });
  return created;
}

async function oauthToken(clientId: string, clientSecret: string): Promise<string> {
  const response = await fetch(`${gateway.url}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret }),
  });
  const body = (await response.json()) as { access_token: string };
  return body.access_token;
}

/** A Sluice access token signed with the local signing key: what only a holder of that key could make. */
function sluiceToken(claims: Record<string, unknown>, expiresAt: number | string = '10m') {
  return new SignJWT({ scope: 'llm:proxy', ...claims })
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuer('urn:sluice')
    .setAudience('urn:sluice:llm-proxy')
    .setIssuedAt()
    .setExpirationTime(expiresAt)
    .sign(signingKey);
}

beforeAll(async () => {
  fake = await startFakeOpenAi();
  idp = await startIdentityProvider();
  gateway = await startGateway({
    SLUICE_OPENAI_BASE_URL: `${fake.url}/v1`,
    SLUICE_OPENAI_API_KEY: SERVER_DEFAULT_KEY,
    SLUICE_AUTH_FAILURE_LIMIT: '1000',
  });
  admin = adminApi(gateway.url, gateway.dataDir);
  await admin.create('/admin/provider-keys', { provider: 'openai', id: 'prod', apiKey: PROD_KEY });
  await admin.create('/admin/provider-keys', { provider: 'anthropic', id: 'main', apiKey: 'sk-ant-not-for-openai' });
  await admin.create('/admin/profiles', {
    id: 'team-a',
    name: 'Team A',
    auth: { jwks: { issuer: idp.issuer, jwksUrl: idp.jwksUrl, audience: AUDIENCE, providerKeys: { openai: 'prod' } } },
  });
  await admin.create('/admin/profiles', { id: 'team-b', name: 'Team B' });
  await admin.create('/admin/profiles', { id: 'strict', name: 'Strict', auth: { allowProviderKeys: false, allowDefaultKey: false } });

  keys.good = (await virtualKey('good', ['team-a', 'strict'], { openai: 'prod' })).secret;
  keys.second = (await virtualKey('second', ['team-a'], { openai: 'prod' })).secret;
  const revoked = await virtualKey('revoked', ['team-a'], { openai: 'prod' });
  expect((await admin.post(`/admin/virtual-keys/${revoked.key.id}/revoke`)).status).toBe(200);
  keys.revoked = revoked.secret;
  const expired = await virtualKey('expired', ['team-a'], { openai: 'prod' }, new Date(Date.now() + 3_600_000).toISOString());
  expect((await admin.patch(`/admin/virtual-keys/${expired.key.id}`, { expiresAt: '2020-01-01T00:00:00Z' })).status).toBe(200);
  keys.expired = expired.secret;
  keys.wrongProfile = (await virtualKey('team-b only', ['team-b'], { openai: 'prod' })).secret;
  keys.wrongProvider = (await virtualKey('anthropic only', ['team-a'], { anthropic: 'main' })).secret;

  const client = await admin.create<{ client: { clientId: string }; clientSecret: string }>('/admin/oauth-clients', {
    clientId: 'svc-a',
    name: 'Service A',
    profiles: ['team-a'],
    providerKeys: { openai: 'prod' },
  });
  tokens.client = await oauthToken(client.client.clientId, client.clientSecret);
  const teamB = await admin.create<{ client: { clientId: string }; clientSecret: string }>('/admin/oauth-clients', {
    clientId: 'svc-b',
    name: 'Service B',
    profiles: ['team-b'],
    providerKeys: { openai: 'prod' },
  });
  tokens.teamB = await oauthToken(teamB.client.clientId, teamB.clientSecret);
  const doomed = await admin.create<{ client: { clientId: string }; clientSecret: string }>('/admin/oauth-clients', {
    clientId: 'svc-revoked',
    name: 'Revoked service',
    profiles: ['team-a'],
    providerKeys: { openai: 'prod' },
  });
  tokens.revokedClient = await oauthToken(doomed.client.clientId, doomed.clientSecret);
  expect((await admin.post('/admin/oauth-clients/svc-revoked/revoke')).status).toBe(200);

  const secrets = JSON.parse(readFileSync(join(gateway.dataDir, 'secrets.json'), 'utf8')) as { oauthSigningKey: string };
  signingKey = Buffer.from(secrets.oauthSigningKey, 'base64url');
});

afterAll(async () => {
  await gateway?.close();
  await fake?.close();
  await idp?.close();
});

beforeEach(() => fake.use(openAiChat()));

function client(apiKey: string, profile = 'team-a', headers: Record<string, string> = {}) {
  return new OpenAI({ apiKey, baseURL: `${gateway.url}/v1/openai/${profile}`, maxRetries: 0, defaultHeaders: headers });
}

const ask = (openai: OpenAI) =>
  openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] });

type Case = [name: string, credential: () => Promise<string> | string, status: 401 | 403, code: string, profile?: string];

const rejected: Case[] = [
  ['an unknown virtual key', () => `sk-sluice-${'A'.repeat(43)}`, 401, 'invalid_api_key'],
  ['a revoked virtual key', () => keys.revoked!, 401, 'credential_revoked'],
  ['an expired virtual key', () => keys.expired!, 401, 'credential_expired'],
  ['a virtual key of another profile', () => keys.wrongProfile!, 403, 'profile_not_allowed'],
  ['a virtual key without this provider', () => keys.wrongProvider!, 403, 'provider_not_allowed'],
  ['an identity token with forged claims', async () => withForgedClaims(await idp.sign({ sub: 'eve', aud: AUDIENCE }), { sub: 'admin' }), 401, 'invalid_token'],
  ['an identity token with a broken signature', async () => {
    const token = await idp.sign({ sub: 'eve', aud: AUDIENCE });
    return `${token.slice(0, -6)}${token.slice(-6).split('').reverse().join('')}`;
  }, 401, 'invalid_token'],
  ['an expired identity token', () => idp.sign({ sub: 'alice', aud: AUDIENCE }, { expiresIn: Math.floor(Date.now() / 1000) - 600 }), 401, 'token_expired'],
  ['an identity token for another audience', () => idp.sign({ sub: 'alice', aud: 'some-other-app' }), 401, 'invalid_token'],
  ['an unsigned identity token (alg none)', () => unsecuredToken({ iss: idp.issuer, sub: 'alice', aud: AUDIENCE, exp: Math.floor(Date.now() / 1000) + 600 }), 401, 'invalid_token'],
  ['an identity token signed by a stranger with the right kid', async () => {
    const { privateKey } = await generateKeyPair('RS256');
    return idp.sign({ sub: 'mallory', aud: AUDIENCE }, { key: privateKey });
  }, 401, 'invalid_token'],
  ['an access token with forged claims', () => withForgedClaims(tokens.teamB!, { sub: 'svc-a', client_id: 'svc-a' }), 401, 'invalid_token'],
  ['an expired access token', () => sluiceToken({ sub: 'svc-a' }, Math.floor(Date.now() / 1000) - 60), 401, 'token_expired'],
  ['an unsigned access token (alg none)', () => unsecuredToken({ iss: 'urn:sluice', aud: 'urn:sluice:llm-proxy', sub: 'svc-a', scope: 'llm:proxy', exp: Math.floor(Date.now() / 1000) + 600 }), 401, 'invalid_token'],
  ['an access token of a revoked client', () => tokens.revokedClient!, 401, 'client_revoked'],
  ['an access token of a client of another profile', () => tokens.teamB!, 403, 'profile_not_allowed'],
  ['an access token without the llm:proxy scope', () => sluiceToken({ sub: 'svc-a', scope: 'other' }), 403, 'insufficient_scope'],
  ['a provider key on a profile that accepts only Sluice credentials', () => CLIENT_PROVIDER_KEY, 401, 'sluice_credential_required', 'strict'],
];

describe('credentials Sluice refuses, in the OpenAI dialect, without calling upstream', () => {
  it.each(rejected)('%s', async (_name, credential, status, code, profile = 'team-a') => {
    const calls = fake.received.length;
    const error = await ask(client(await credential(), profile)).then(
      () => undefined,
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(status === 401 ? OpenAI.AuthenticationError : OpenAI.PermissionDeniedError);
    const apiError = error as InstanceType<typeof OpenAI.APIError>;
    expect(apiError.status).toBe(status);
    expect(apiError.code).toBe(code);
    expect(apiError.type).toBe(status === 401 ? 'authentication_error' : 'permission_error');
    expect(fake.received.length).toBe(calls);
  });

  it('records a refused request without any credential in it', async () => {
    const before = (await gateway.records('team-a')).length;
    await ask(client(keys.revoked!)).catch(() => undefined);
    const [record] = (await gateway.waitForRecords(before + 1, 'team-a')).slice(before);
    expect(record).toMatchObject({ status: 401, outcome: 'error', error: { kind: 'unauthorized' } });
    expect(JSON.stringify(record)).not.toContain(keys.revoked);
  });
});

describe('which credential wins', () => {
  it('a Sluice credential wins over a provider key sent alongside, in either header', async () => {
    await ask(client(keys.good!, 'team-a', { 'x-api-key': CLIENT_PROVIDER_KEY }));
    expect(fake.last!.headers.authorization).toBe(`Bearer ${PROD_KEY}`);
    await ask(client(CLIENT_PROVIDER_KEY, 'team-a', { 'x-api-key': keys.good! }));
    expect(fake.last!.headers.authorization).toBe(`Bearer ${PROD_KEY}`);
    expect(fake.last!.headers['x-api-key']).toBeUndefined();
  });

  it('a failed Sluice credential never falls back to the provider key beside it', async () => {
    const calls = fake.received.length;
    await expect(ask(client(CLIENT_PROVIDER_KEY, 'team-a', { 'x-api-key': keys.revoked! }))).rejects.toBeInstanceOf(
      OpenAI.AuthenticationError,
    );
    expect(fake.received.length).toBe(calls);
  });

  it('two different Sluice credentials are refused as ambiguous', async () => {
    const calls = fake.received.length;
    const error = await ask(client(keys.good!, 'team-a', { 'x-api-key': keys.second! })).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as InstanceType<typeof OpenAI.APIError>).code).toBe('ambiguous_credentials');
    expect(fake.received.length).toBe(calls);
  });

  it('the same credential in two headers is one credential', async () => {
    await ask(client(keys.good!, 'team-a', { 'x-api-key': keys.good! }));
    expect(fake.last!.headers.authorization).toBe(`Bearer ${PROD_KEY}`);
  });

  it('without a Sluice credential the provider key passes through; without any key the server default is used', async () => {
    await ask(client(CLIENT_PROVIDER_KEY));
    expect(fake.last!.headers.authorization).toBe(`Bearer ${CLIENT_PROVIDER_KEY}`);
    const response = await fetch(`${gateway.url}/v1/openai/team-a/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [] }),
    });
    expect(response.status).toBe(200);
    expect(fake.last!.headers.authorization).toBe(`Bearer ${SERVER_DEFAULT_KEY}`);
    const records = await gateway.waitForRecords(2, 'team-a');
    expect(records.slice(-2).map((r) => r.credential)).toEqual([{ kind: 'provider-key' }, { kind: 'default-key' }]);
  });

  it('a profile that accepts only Sluice credentials refuses the server default key too, and takes a virtual key', async () => {
    const response = await fetch(`${gateway.url}/v1/openai/strict/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [] }),
    });
    expect(response.status).toBe(401);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('sluice_credential_required');
    await ask(client(keys.good!, 'strict'));
    expect(fake.last!.headers.authorization).toBe(`Bearer ${PROD_KEY}`);
  });

  it('a JWT of an issuer the profile does not trust is treated as a provider key', async () => {
    const token = await idp.sign({ sub: 'alice', aud: AUDIENCE });
    await ask(client(token, 'team-b'));
    expect(fake.last!.headers.authorization).toBe(`Bearer ${token}`);
  });

  it('streams with a virtual key, an access token and an identity token alike', async () => {
    const identity = await idp.sign({ sub: 'alice', aud: AUDIENCE });
    for (const credential of [keys.good!, tokens.client!, identity]) {
      const stream = await client(credential).chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: 'count' }],
        stream: true,
      });
      let text = '';
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
      expect(text).toBe('Hello from the fake upstream.');
      expect(fake.last!.headers.authorization).toBe(`Bearer ${PROD_KEY}`);
    }
  });
});
