import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeServer } from '../fakes/fake-server.ts';
import { startIdentityProvider, type TestIdentityProvider } from '../fakes/identity-provider.ts';
import { startFakeOpenAi } from '../fakes/openai-upstream.ts';
import { adminApi, type AdminApi } from '../support/admin.ts';
import { startGateway, type TestGateway } from '../support/gateway.ts';

const LIMIT = 3;
let fake: FakeServer;
let gateway: TestGateway;
let idp: TestIdentityProvider;
let admin: AdminApi;
let goodKey: string;
let client: { clientId: string; clientSecret: string };

beforeAll(async () => {
  fake = await startFakeOpenAi();
  idp = await startIdentityProvider();
  gateway = await startGateway({
    SLUICE_OPENAI_BASE_URL: `${fake.url}/v1`,
    SLUICE_AUTH_FAILURE_LIMIT: String(LIMIT),
    SLUICE_AUTH_FAILURE_WINDOW_SECONDS: '3600',
  });
  admin = adminApi(gateway.url, gateway.dataDir);
  await admin.create('/admin/provider-keys', { provider: 'openai', id: 'prod', apiKey: 'sk-proj-limited-provider-key' });
  await admin.patch('/admin/profiles/default', {
    auth: { jwks: { issuer: idp.issuer, jwksUrl: idp.jwksUrl, audience: 'aud', providerKeys: { openai: 'prod' } } },
  });
  goodKey = (await admin.create<{ secret: string }>('/admin/virtual-keys', { name: 'k', profiles: ['default'], providerKeys: { openai: 'prod' } })).secret;
  const created = await admin.create<{ client: { clientId: string }; clientSecret: string }>('/admin/oauth-clients', {
    name: 'svc',
    profiles: ['default'],
    providerKeys: { openai: 'prod' },
  });
  client = { clientId: created.client.clientId, clientSecret: created.clientSecret };
});

afterAll(async () => {
  await gateway?.close();
  await fake?.close();
  await idp?.close();
});

const ask = (apiKey: string, headers: Record<string, string> = {}) =>
  new OpenAI({ apiKey, baseURL: `${gateway.url}/v1/openai`, maxRetries: 0, defaultHeaders: headers }).chat.completions.create({
    model: 'gpt-4o-mini',
    messages: [{ role: 'user', content: 'Hi' }],
  });

const token = (secret: string) =>
  fetch(`${gateway.url}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: client.clientId, client_secret: secret }),
  });

describe('failed attempts are limited per source address and credential kind', () => {
  it('blocks virtual keys from this address after the limit, even the right key and whatever X-Forwarded-For says', async () => {
    await ask(goodKey);
    for (let i = 0; i < LIMIT; i++) {
      await expect(ask(`sk-sluice-guess-${i}-${'x'.repeat(30)}`)).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
    }
    const calls = fake.received.length;
    const blocked = await ask(goodKey).catch((caught: unknown) => caught);
    expect(blocked).toBeInstanceOf(OpenAI.RateLimitError);
    expect((blocked as InstanceType<typeof OpenAI.APIError>).code).toBe('too_many_failed_attempts');
    await expect(ask(goodKey, { 'x-forwarded-for': '203.0.113.7', 'x-real-ip': '203.0.113.7' })).rejects.toBeInstanceOf(
      OpenAI.RateLimitError,
    );
    expect(fake.received.length).toBe(calls);
  });

  it('leaves other kinds of credential from the same address alone', async () => {
    await expect(ask(await idp.sign({ sub: 'alice', aud: 'aud' }))).resolves.toBeDefined();
    await expect(ask('sk-proj-a-provider-key-passing-through')).resolves.toBeDefined();
  });

  it('limits wrong client secrets at the token endpoint', async () => {
    for (let i = 0; i < LIMIT; i++) {
      const response = await token(`sk-sluice-cs-wrong-${i}`);
      expect(response.status).toBe(401);
      expect(await response.json()).toMatchObject({ error: 'invalid_client' });
    }
    const blocked = await token(client.clientSecret);
    expect(blocked.status).toBe(429);
    expect(await blocked.json()).toMatchObject({ error: 'too_many_failed_attempts' });
  });

  it('limits wrong tokens at the local admin API, loopback included', async () => {
    for (let i = 0; i < LIMIT; i++) {
      const response = await fetch(`${gateway.url}/admin/profiles`, { headers: { authorization: `Bearer wrong-${i}` } });
      expect(response.status).toBe(401);
    }
    const blocked = await fetch(`${gateway.url}/admin/profiles`, {
      headers: { authorization: `Bearer ${admin.token}`, 'x-forwarded-for': '198.51.100.1' },
    });
    expect(blocked.status).toBe(429);
  });
});
