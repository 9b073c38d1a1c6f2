import OpenAI, { APIError, AuthenticationError, PermissionDeniedError } from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { anthropicMessages } from '../fakes/anthropic-upstream.ts';
import { FakeServer, type FakeHandler } from '../fakes/fake-server.ts';
import { startIdentityProvider, type TestIdentityProvider } from '../fakes/identity-provider.ts';
import { openAiApi, startFakeOpenAiApi } from '../fakes/openai-api.ts';
import { startFakeGemini } from '../fakes/router/gemini.ts';
import { adminApi, type AdminApi } from '../support/admin.ts';
import { startGateway, type TestGateway } from '../support/gateway.ts';
import { recordsAfter } from '../support/router.ts';

const OPENAI_MAPPED = 'sk-proj-mapped-openai-key-0001';
const ANTHROPIC_MAPPED = 'sk-ant-mapped-anthropic-key-0002';
const GEMINI_SERVER = 'gemini-server-default-key-0003';
const AUDIENCE = 'sluice-router';

let anthropic: FakeServer;
let openai: FakeServer;
let gemini: FakeServer;
let idp: TestIdentityProvider;
let gateway: TestGateway;
let admin: AdminApi;
const keys: Record<string, { secret: string; id: string }> = {};
let oauthToken: string;

/** Anthropic's Messages API and its model list, both behind the key they were given. */
function anthropicWithModels(messages: FakeHandler = anthropicMessages()): FakeHandler {
  return (req, res, raw) => {
    if (req.method !== 'GET' || req.path !== '/v1/models') return messages(req, res, raw);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ data: [{ type: 'model', id: 'claude-sonnet-4-5', created_at: '2025-09-29T00:00:00Z' }], has_more: false }));
  };
}

async function closedPortUrl(): Promise<string> {
  const server = await new FakeServer(() => undefined).start();
  await server.close();
  return server.url;
}

async function virtualKey(name: string, body: Record<string, unknown>) {
  const created = await admin.create<{ secret: string; key: { id: string } }>('/admin/virtual-keys', { name, ...body });
  keys[name] = { secret: created.secret, id: created.key.id };
}

beforeAll(async () => {
  anthropic = await new FakeServer(anthropicWithModels()).start();
  openai = await startFakeOpenAiApi();
  gemini = await startFakeGemini({ models: ['gemini-2.5-flash'] });
  idp = await startIdentityProvider();
  gateway = await startGateway({
    SLUICE_ANTHROPIC_BASE_URL: anthropic.url,
    SLUICE_ANTHROPIC_API_KEY: undefined,
    // The mapped OpenAI key carries its own base URL: the configured one must never be used with it.
    SLUICE_OPENAI_BASE_URL: await closedPortUrl(),
    SLUICE_OPENAI_API_KEY: undefined,
    SLUICE_GEMINI_BASE_URL: gemini.url,
    SLUICE_GEMINI_API_KEY: GEMINI_SERVER,
    SLUICE_GROQ_BASE_URL: `${openai.url}/groq/v1`,
    SLUICE_GROQ_API_KEY: undefined,
    SLUICE_OLLAMA_BASE_URL: await closedPortUrl(),
    SLUICE_AUTH_FAILURE_LIMIT: '1000',
  });
  admin = adminApi(gateway.url, gateway.dataDir);
  await admin.create('/admin/provider-keys', { provider: 'openai', id: 'prod', apiKey: OPENAI_MAPPED, baseUrl: `${openai.url}/v1` });
  await admin.create('/admin/provider-keys', { provider: 'anthropic', id: 'main', apiKey: ANTHROPIC_MAPPED });
  await admin.create('/admin/profiles', { id: 'team', name: 'Team' });
  await admin.create('/admin/profiles', { id: 'strict', name: 'Strict', auth: { allowProviderKeys: false, allowDefaultKey: false } });
  await admin.create('/admin/profiles', { id: 'own-keys', name: 'Own keys only', auth: { allowDefaultKey: false } });
  await admin.create('/admin/profiles', {
    id: 'federated',
    name: 'Federated',
    auth: { jwks: { issuer: idp.issuer, jwksUrl: idp.jwksUrl, audience: AUDIENCE, providerKeys: { anthropic: 'main' } } },
  });

  await virtualKey('both', { profiles: ['team', 'strict'], providerKeys: { openai: 'prod', anthropic: 'main' } });
  await virtualKey('tiny', { profiles: ['team'], providerKeys: { anthropic: 'main' }, limits: [{ id: 'tiny', metric: 'tokens', window: 'day', max: 5 }] });
  await virtualKey('metered', { profiles: ['team'], providerKeys: { anthropic: 'main' }, limits: [{ id: 'daily', metric: 'tokens', window: 'day', max: 1_000_000 }] });

  const client = await admin.create<{ client: { clientId: string }; clientSecret: string }>('/admin/oauth-clients', {
    clientId: 'router-svc',
    name: 'Router service',
    profiles: ['team'],
    providerKeys: { anthropic: 'main' },
  });
  const token = await fetch(`${gateway.url}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: client.client.clientId, client_secret: client.clientSecret }),
  });
  oauthToken = ((await token.json()) as { access_token: string }).access_token;
});

afterAll(async () => {
  await gateway?.close();
  for (const fake of [anthropic, openai, gemini]) await fake?.close();
  await idp?.close();
});

beforeEach(() => {
  anthropic.use(anthropicWithModels());
  openai.use(openAiApi());
});

const router = (apiKey: string, profile = 'team') =>
  new OpenAI({ apiKey, baseURL: `${gateway.url}/v1/model-router/${profile}`, maxRetries: 0 });

const ask = (client: OpenAI, model: string, extra: Record<string, unknown> = {}) =>
  client.chat.completions.create({ model, messages: [{ role: 'user', content: 'Hi' }], ...extra } as OpenAI.ChatCompletionCreateParamsNonStreaming);

async function failure(call: Promise<unknown>): Promise<APIError> {
  const error = await call.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(APIError);
  return error as APIError;
}

describe('the model router with Sluice credentials', () => {
  it("uses a virtual key's mapped key for each provider it reaches, fallback included, and records the key", async () => {
    anthropic.use(anthropicWithModels(anthropicMessages({ failWith: { status: 529, type: 'overloaded_error', message: 'Overloaded' } })));
    const before = (await gateway.records('team')).length;
    const completion = await ask(router(keys.both!.secret), 'anthropic:claude-sonnet-4-5', { models: ['openai:gpt-4o-mini'] });
    expect(completion.choices[0]!.message.content).toBeTruthy();

    expect(anthropic.last!.headers['x-api-key']).toBe(ANTHROPIC_MAPPED);
    expect(openai.last!.path).toBe('/v1/chat/completions');
    expect(openai.last!.headers.authorization).toBe(`Bearer ${OPENAI_MAPPED}`);
    for (const received of [anthropic.last!, openai.last!]) expect(JSON.stringify(received.headers)).not.toContain(keys.both!.secret);

    const [record] = await recordsAfter(gateway, before, 'team');
    expect(record).toMatchObject({
      provider: 'openai',
      status: 200,
      credential: { kind: 'virtual-key', id: keys.both!.id },
      attempts: [
        { provider: 'anthropic', model: 'anthropic:claude-sonnet-4-5', status: 529 },
        { provider: 'openai', model: 'openai:gpt-4o-mini', status: 200 },
      ],
    });
    const text = JSON.stringify(record);
    for (const secret of [keys.both!.secret, OPENAI_MAPPED, ANTHROPIC_MAPPED]) expect(text).not.toContain(secret);
  });

  it("streams the Responses API with the virtual key's mapped key", async () => {
    const stream = router(keys.both!.secret).responses.stream({ model: 'anthropic:claude-sonnet-4-5', input: 'Hi' });
    const final = await stream.finalResponse();
    expect(final.output_text).toBe('Hello from the fake Claude.');
    expect(anthropic.last!.headers['x-api-key']).toBe(ANTHROPIC_MAPPED);
  });

  it("uses an OAuth access token's mapping, and records its client", async () => {
    const before = (await gateway.records('team')).length;
    await ask(router(oauthToken), 'anthropic:claude-sonnet-4-5');
    expect(anthropic.last!.headers['x-api-key']).toBe(ANTHROPIC_MAPPED);
    const [record] = await recordsAfter(gateway, before, 'team');
    expect(record).toMatchObject({ provider: 'anthropic', status: 200, credential: { kind: 'oauth-client', id: 'router-svc' } });
    expect(JSON.stringify(record)).not.toContain(oauthToken);
  });

  it("uses the provider keys an identity token's claims select", async () => {
    const token = await idp.sign({ sub: 'alice', aud: AUDIENCE });
    const before = (await gateway.records('federated')).length;
    await ask(router(token, 'federated'), 'anthropic:claude-sonnet-4-5');
    expect(anthropic.last!.headers['x-api-key']).toBe(ANTHROPIC_MAPPED);
    const [record] = await recordsAfter(gateway, before, 'federated');
    expect(record).toMatchObject({ provider: 'anthropic', credential: { kind: 'jwks', id: 'alice' } });
  });

  it('refuses with 403 a provider the credential has no mapping for, even one with a server key, and calls no upstream', async () => {
    const calls = () => anthropic.received.length + openai.received.length + gemini.received.length;
    const before = calls();
    const unmapped = await failure(ask(router(keys.both!.secret), 'gemini:gemini-2.5-flash'));
    expect(unmapped).toBeInstanceOf(PermissionDeniedError);
    expect(unmapped).toMatchObject({ status: 403, code: 'provider_not_allowed' });
    expect(unmapped.message).toContain("no key for provider 'gemini'");

    // An unmapped fallback is refused before the mapped first model is tried.
    const fallback = await failure(ask(router(keys.both!.secret), 'anthropic:claude-sonnet-4-5', { models: ['gemini:gemini-2.5-flash'] }));
    expect(fallback).toMatchObject({ status: 403, code: 'provider_not_allowed' });
    const oauth = await failure(ask(router(oauthToken), 'openai:gpt-4o-mini'));
    expect(oauth).toMatchObject({ status: 403, code: 'provider_not_allowed' });
    expect(calls()).toBe(before);
  });

  it('answers 401 for an unknown virtual key and 403 for a profile the key may not use', async () => {
    const unknown = await failure(ask(router(`sk-sluice-${'B'.repeat(43)}`), 'anthropic:claude-sonnet-4-5'));
    expect(unknown).toBeInstanceOf(AuthenticationError);
    expect(unknown).toMatchObject({ status: 401, code: 'invalid_api_key' });
    const profile = await failure(ask(router(keys.both!.secret, 'own-keys'), 'anthropic:claude-sonnet-4-5'));
    expect(profile).toMatchObject({ status: 403, code: 'profile_not_allowed' });
  });

  it("applies the virtual key's usage limits", async () => {
    const before = anthropic.received.length;
    const refused = await failure(ask(router(keys.tiny!.secret), 'anthropic:claude-sonnet-4-5'));
    expect(refused).toMatchObject({ status: 402, code: 'usage_limit_exceeded' });
    expect(anthropic.received.length).toBe(before);

    const { response } = await router(keys.metered!.secret)
      .chat.completions.create({ model: 'anthropic:claude-sonnet-4-5', messages: [{ role: 'user', content: 'Hi' }] })
      .withResponse();
    expect(Number(response.headers.get('x-sluice-limit-remaining-daily'))).toBeLessThan(1_000_000);
  });
});

describe('the model router without a Sluice credential', () => {
  it("still uses the server's key, and passes a plain key only to a lone OpenAI-style provider", async () => {
    await ask(router('sk-plain-client-key'), 'gemini:gemini-2.5-flash');
    expect(gemini.last!.headers['x-goog-api-key']).toBe(GEMINI_SERVER);

    await ask(router('gsk-plain-groq-key'), 'groq:llama-3.1-8b-instant');
    expect(openai.last!.path).toBe('/groq/v1/chat/completions');
    expect(openai.last!.headers.authorization).toBe('Bearer gsk-plain-groq-key');

    const noKey = await failure(ask(router('sk-plain-client-key'), 'anthropic:claude-sonnet-4-5'));
    expect(noKey).toMatchObject({ status: 401, code: 'missing_api_key' });
  });

  it("keeps the profile's rules: no server key with allowDefaultKey false, no plain key with allowProviderKeys false", async () => {
    const noDefault = await failure(ask(router('sk-plain-client-key', 'own-keys'), 'gemini:gemini-2.5-flash'));
    expect(noDefault).toMatchObject({ status: 401, code: 'missing_api_key' });

    const strict = await failure(ask(router('sk-plain-client-key', 'strict'), 'gemini:gemini-2.5-flash'));
    expect(strict).toMatchObject({ status: 401, code: 'sluice_credential_required' });
    const allowed = await ask(router(keys.both!.secret, 'strict'), 'anthropic:claude-sonnet-4-5');
    expect(allowed.choices[0]!.message.content).toBe('Hello from the fake Claude.');
  });
});

describe('GET /v1/model-router/models per caller', () => {
  const ids = async (client: OpenAI) => {
    const out: string[] = [];
    for await (const model of client.models.list()) out.push(model.id);
    return out;
  };

  it("lists only the providers a virtual key maps, asked with the mapped keys", async () => {
    const listed = await ids(router(keys.both!.secret));
    expect(listed).toEqual(['anthropic:claude-sonnet-4-5', 'openai:gpt-4.1', 'openai:gpt-4o-mini', 'openai:text-embedding-3-small']);
    expect(anthropic.received.filter((r) => r.path === '/v1/models').at(-1)!.headers['x-api-key']).toBe(ANTHROPIC_MAPPED);
    expect(openai.received.filter((r) => r.path === '/v1/models').at(-1)!.headers.authorization).toBe(`Bearer ${OPENAI_MAPPED}`);
  });

  it('lists what an OAuth token maps, and, without a Sluice credential, what the server keys reach', async () => {
    expect(await ids(router(oauthToken))).toEqual(['anthropic:claude-sonnet-4-5']);
    expect(await ids(router('sk-plain-client-key'))).toEqual(['gemini:gemini-2.5-flash']);
  });
});
