import OpenAI from 'openai';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAdminHandler } from '../../lib/admin/admin-handler.ts';
import { adminRoutes } from '../../lib/admin/admin-routes.ts';
import { ResponseWriter } from '../../lib/http/response.ts';
import type { FakeServer } from '../fakes/fake-server.ts';
import { startFakeOpenAi } from '../fakes/openai-upstream.ts';
import { adminApi, type AdminApi } from '../support/admin.ts';
import { startGateway, type TestGateway } from '../support/gateway.ts';

let fake: FakeServer;
let otherUpstream: FakeServer;
let gateway: TestGateway;
let admin: AdminApi;

beforeAll(async () => {
  fake = await startFakeOpenAi();
  otherUpstream = await startFakeOpenAi();
  gateway = await startGateway({ SLUICE_OPENAI_BASE_URL: `${fake.url}/v1` });
  admin = adminApi(gateway.url, gateway.dataDir);
});

afterAll(async () => {
  await gateway?.close();
  await fake?.close();
  await otherUpstream?.close();
});

type ErrorBody = { error: { code: string; message: string } };

describe('the admin API', () => {
  it('serves an OpenAPI 3.1 document generated from its schemas', async () => {
    const { status, body } = await admin.get<{
      openapi: string;
      paths: Record<string, Record<string, { requestBody?: unknown; responses: Record<string, unknown> }>>;
      components: { schemas: Record<string, { required?: string[]; properties?: Record<string, unknown> }> };
    }>('/admin/openapi.json');
    expect(status).toBe(200);
    expect(body.openapi).toBe('3.1.0');
    for (const route of adminRoutes) expect(body.paths[route.path]?.[route.method.toLowerCase()]).toBeDefined();
    expect(body.components.schemas.VirtualKeyCreate?.required).toEqual(['profiles', 'providerKeys', 'name']);
    expect(body.components.schemas.ProviderKey?.properties).not.toHaveProperty('apiKey');
    expect(body.components.schemas.OAuthClient?.properties).not.toHaveProperty('secretHash');
    const refs = JSON.stringify(body).match(/"\$ref":"[^"]+"/g) ?? [];
    expect(refs.length).toBeGreaterThan(10);
    for (const ref of refs) {
      const name = /#\/components\/schemas\/([^"]+)/.exec(ref)?.[1];
      expect(body.components.schemas[name!], ref).toBeDefined();
    }
  });

  it('refuses a request without the admin token, and a handler call without an authenticated caller', async () => {
    const anonymous = await fetch(`${gateway.url}/admin/profiles`);
    expect(anonymous.status).toBe(401);

    let prelude: { statusCode: number } | undefined;
    const raw = new PassThrough();
    const chunks: Buffer[] = [];
    raw.on('data', (chunk: Buffer) => chunks.push(chunk));
    const writer = new ResponseWriter(raw, {
      from(stream, p) {
        prelude = p;
        return stream;
      },
    });
    await createAdminHandler()(
      { method: 'GET', path: '/admin/profiles', query: new URLSearchParams(), headers: {}, body: Buffer.alloc(0), sourceIp: '127.0.0.1', requestId: 'r', receivedAt: 0 },
      writer,
    );
    expect(prelude?.statusCode).toBe(403);
    expect(JSON.parse(Buffer.concat(chunks).toString())).toMatchObject({ error: { code: 'not_authenticated' } });
  });

  it('creates, shows, changes, lists and deletes profiles', async () => {
    const created = await admin.post('/admin/profiles', { id: 'team-x', name: 'Team X', description: 'x', policies: { keep: true } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ id: 'team-x', name: 'Team X', policies: { keep: true } });
    expect((await admin.post<ErrorBody>('/admin/profiles', { id: 'team-x', name: 'Again' })).status).toBe(409);

    const changed = await admin.patch('/admin/profiles/team-x', { name: 'Team X2', description: null, auth: { allowProviderKeys: false } });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ id: 'team-x', name: 'Team X2', auth: { allowProviderKeys: false }, policies: { keep: true } });
    expect(changed.body).not.toHaveProperty('description');

    const list = await admin.get<{ items: Array<{ id: string }> }>('/admin/profiles');
    expect(list.body.items.map((p) => p.id)).toEqual(expect.arrayContaining(['default', 'team-x']));

    expect((await admin.delete('/admin/profiles/team-x')).status).toBe(204);
    expect((await admin.get<ErrorBody>('/admin/profiles/team-x')).status).toBe(404);
    const defaultDelete = await admin.delete<ErrorBody>('/admin/profiles/default');
    expect(defaultDelete.status).toBe(400);
    expect(defaultDelete.body.error.code).toBe('default_profile');
  });

  it('says what is wrong with a request', async () => {
    const badId = await admin.post<ErrorBody>('/admin/profiles', { id: 'has spaces', name: 'x' });
    expect(badId.status).toBe(400);
    expect(badId.body.error.message).toContain("'id'");

    const badJson = await fetch(`${gateway.url}/admin/profiles`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin.token}`, 'content-type': 'application/json' },
      body: '{"id":',
    });
    expect(badJson.status).toBe(400);
    expect(((await badJson.json()) as ErrorBody).error.code).toBe('invalid_json');

    expect((await admin.get<ErrorBody>('/admin/nothing-here')).body.error.code).toBe('unknown_route');
    expect((await admin.call<ErrorBody>('PUT', '/admin/profiles', {})).status).toBe(405);
    const unknownKey = await admin.post<ErrorBody>('/admin/profiles', {
      id: 'idp',
      name: 'IdP',
      auth: { jwks: { issuer: 'i', jwksUrl: 'https://idp.example/jwks', audience: 'a', providerKeys: { openai: 'missing' } } },
    });
    expect(unknownKey.status).toBe(400);
    expect(unknownKey.body.error.code).toBe('unknown_provider_key');
    const strictBody = await admin.post<ErrorBody>('/admin/virtual-keys', { name: 'x', profiles: ['default'], providerKeys: {}, extra: 1 });
    expect(strictBody.status).toBe(400);
  });

  it('stores provider keys as secrets: rotation, a per-key base URL, and deletion take effect on the next request', async () => {
    const created = await admin.post('/admin/provider-keys', { provider: 'openai', id: 'rotating', apiKey: 'sk-first-key-000000', name: 'Rotating' });
    expect(created.status).toBe(201);
    expect(JSON.stringify(created.body)).not.toContain('sk-first-key');
    expect((await admin.post('/admin/provider-keys', { provider: 'openai', id: 'rotating', apiKey: 'sk-dup' })).status).toBe(409);

    const key = await admin.create<{ secret: string }>('/admin/virtual-keys', { name: 'rot', profiles: ['default'], providerKeys: { openai: 'rotating' } });
    const openai = new OpenAI({ apiKey: key.secret, baseURL: `${gateway.url}/v1/openai`, maxRetries: 0 });
    const ask = () => openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] });

    await ask();
    expect(fake.last!.headers.authorization).toBe('Bearer sk-first-key-000000');

    expect((await admin.patch('/admin/provider-keys/openai/rotating', { apiKey: 'sk-second-key-111111' })).status).toBe(200);
    await ask();
    expect(fake.last!.headers.authorization).toBe('Bearer sk-second-key-111111');

    const pointed = await admin.patch('/admin/provider-keys/openai/rotating', { baseUrl: `${otherUpstream.url}/v1/` });
    expect(pointed.body).toMatchObject({ baseUrl: `${otherUpstream.url}/v1` });
    await ask();
    expect(otherUpstream.last!.headers.authorization).toBe('Bearer sk-second-key-111111');
    expect(otherUpstream.last!.path).toBe('/v1/chat/completions');

    const listed = await admin.get<{ items: unknown[] }>('/admin/provider-keys?provider=openai');
    expect(JSON.stringify(listed.body)).not.toContain('sk-second-key');
    expect(listed.body.items).toEqual([expect.objectContaining({ provider: 'openai', id: 'rotating', name: 'Rotating' })]);

    expect((await admin.delete('/admin/provider-keys/openai/rotating')).status).toBe(204);
    const error = await ask().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OpenAI.PermissionDeniedError);
    expect((error as InstanceType<typeof OpenAI.APIError>).code).toBe('provider_key_missing');
    expect((await admin.get('/admin/provider-keys/openai/rotating')).status).toBe(404);
  });

  it('manages virtual keys without ever showing a key again', async () => {
    await admin.create('/admin/provider-keys', { provider: 'openai', id: 'vk', apiKey: 'sk-vk-provider-key' });
    await admin.create('/admin/profiles', { id: 'vk-team', name: 'VK team' });
    const past = await admin.post<ErrorBody>('/admin/virtual-keys', {
      name: 'old',
      profiles: ['vk-team'],
      providerKeys: { openai: 'vk' },
      expiresAt: '2001-01-01T00:00:00Z',
    });
    expect(past.status).toBe(400);

    const created = await admin.create<{ secret: string; key: { id: string } }>('/admin/virtual-keys', {
      name: 'app',
      profiles: ['vk-team'],
      providerKeys: { openai: 'vk' },
      expiresAt: '2099-01-01T01:00:00+01:00',
    });
    const { id } = created.key;
    const shown = await admin.get<Record<string, unknown>>(`/admin/virtual-keys/${id}`);
    expect(shown.body).toMatchObject({ id, name: 'app', status: 'active', expiresAt: '2099-01-01T00:00:00.000Z' });
    expect(JSON.stringify(shown.body)).not.toContain(created.secret);

    const byProfile = await admin.get<{ items: Array<{ id: string }> }>('/admin/virtual-keys?profile=vk-team');
    expect(byProfile.body.items.map((k) => k.id)).toEqual([id]);

    const changed = await admin.patch(`/admin/virtual-keys/${id}`, { name: 'renamed', expiresAt: null });
    expect(changed.body).toMatchObject({ name: 'renamed', status: 'active' });
    expect(changed.body).not.toHaveProperty('expiresAt');

    const revoked = await admin.post(`/admin/virtual-keys/${id}/revoke`);
    expect(revoked.body).toMatchObject({ status: 'revoked' });
    expect((await admin.delete(`/admin/virtual-keys/${id}`)).status).toBe(204);
    expect((await admin.get(`/admin/virtual-keys/${id}`)).status).toBe(404);
    expect((await admin.get<ErrorBody>('/admin/virtual-keys/not-a-hash')).status).toBe(400);
  });

  it('rotates an OAuth client secret: the old one stops working', async () => {
    await admin.create('/admin/provider-keys', { provider: 'openai', id: 'svc', apiKey: 'sk-svc-provider-key' });
    const created = await admin.create<{ client: { clientId: string }; clientSecret: string }>('/admin/oauth-clients', {
      clientId: 'rotator',
      name: 'Rotator',
      profiles: ['default'],
      providerKeys: { openai: 'svc' },
    });
    const token = (secret: string) =>
      fetch(`${gateway.url}/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ grant_type: 'client_credentials', client_id: 'rotator', client_secret: secret }),
      });
    expect((await token(created.clientSecret)).status).toBe(200);
    const rotated = await admin.post<{ clientSecret: string }>('/admin/oauth-clients/rotator/rotate-secret');
    expect(rotated.body.clientSecret).not.toBe(created.clientSecret);
    expect((await token(created.clientSecret)).status).toBe(401);
    expect((await token(rotated.body.clientSecret)).status).toBe(200);
    const listed = await admin.get<{ items: unknown[] }>('/admin/oauth-clients');
    expect(JSON.stringify(listed.body)).not.toMatch(/secretHash|sk-sluice-cs-/);
    expect((await admin.delete('/admin/oauth-clients/rotator')).status).toBe(204);
    expect((await token(rotated.body.clientSecret)).status).toBe(401);
  });

  it('lists interactions by profile, newest first, between two times', async () => {
    await admin.create('/admin/profiles', { id: 'busy', name: 'Busy' });
    const openai = new OpenAI({ apiKey: 'sk-client-key', baseURL: `${gateway.url}/v1/openai/busy`, maxRetries: 0 });
    const start = new Date().toISOString();
    for (const model of ['m-1', 'm-2', 'm-3']) await openai.chat.completions.create({ model, messages: [] });
    await gateway.waitForRecords(3, 'busy');
    const all = await admin.get<{ items: Array<{ model: string }> }>('/admin/profiles/busy/interactions');
    expect(all.body.items.map((i) => i.model)).toEqual(['m-3', 'm-2', 'm-1']);
    const two = await admin.get<{ items: Array<{ model: string }> }>('/admin/profiles/busy/interactions?limit=2');
    expect(two.body.items.map((i) => i.model)).toEqual(['m-3', 'm-2']);
    const future = await admin.get<{ items: unknown[] }>(`/admin/profiles/busy/interactions?from=${encodeURIComponent('2999-01-01T00:00:00Z')}`);
    expect(future.body.items).toEqual([]);
    const before = await admin.get<{ items: unknown[] }>(`/admin/profiles/busy/interactions?to=${encodeURIComponent(start)}`);
    expect(before.body.items).toEqual([]);
    expect((await admin.get<ErrorBody>('/admin/profiles/busy/interactions?limit=0')).status).toBe(400);
  });
});

describe('the OAuth token endpoint', () => {
  const post = (body: string, headers: Record<string, string> = {}) =>
    fetch(`${gateway.url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body,
    });

  it('answers RFC 6749 errors', async () => {
    const grant = await post('grant_type=password&username=a&password=b');
    expect(grant.status).toBe(400);
    expect(await grant.json()).toMatchObject({ error: 'unsupported_grant_type' });

    const scope = await post('grant_type=client_credentials&client_id=a&client_secret=b&scope=admin');
    expect(scope.status).toBe(400);
    expect(await scope.json()).toMatchObject({ error: 'invalid_scope' });

    const anonymous = await post('grant_type=client_credentials');
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBe('Basic realm="sluice"');
    expect(await anonymous.json()).toMatchObject({ error: 'invalid_client' });

    const unknown = await post('grant_type=client_credentials', { authorization: `Basic ${Buffer.from('nobody:nothing').toString('base64')}` });
    expect(unknown.status).toBe(401);

    const get = await fetch(`${gateway.url}/oauth/token`);
    expect(get.status).toBe(405);
  });
});
