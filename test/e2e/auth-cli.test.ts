import OpenAI from 'openai';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { FakeServer } from '../fakes/fake-server.ts';
import { startIdentityProvider, type TestIdentityProvider } from '../fakes/identity-provider.ts';
import { openAiChat, startFakeOpenAi } from '../fakes/openai-upstream.ts';
import { cliJson, runCli } from '../support/cli.ts';
import { startGateway, type TestGateway } from '../support/gateway.ts';

const PROVIDER_KEY = 'sk-proj-real-provider-key-0123456789';
let fake: FakeServer;
let gateway: TestGateway;
let idp: TestIdentityProvider;
let cliEnv: Record<string, string>;

beforeAll(async () => {
  fake = await startFakeOpenAi();
  idp = await startIdentityProvider();
  gateway = await startGateway({ SLUICE_OPENAI_BASE_URL: `${fake.url}/v1`, SLUICE_OPENAI_API_KEY: undefined });
  cliEnv = { SLUICE_ADMIN_URL: gateway.url, SLUICE_DATA_DIR: gateway.dataDir };
  await cliJson(['profiles', 'create', 'team-a', '--name', 'Team A'], { env: cliEnv });
  await cliJson(['provider-keys', 'create', 'openai/prod', '--api-key-stdin', '--name', 'OpenAI production'], {
    env: cliEnv,
    input: `${PROVIDER_KEY}\n`,
  });
});

afterAll(async () => {
  await gateway?.close();
  await fake?.close();
  await idp?.close();
});

beforeEach(() => fake.use(openAiChat()));

const openai = (apiKey: string, profile = 'team-a') =>
  new OpenAI({ apiKey, baseURL: `${gateway.url}/v1/openai/${profile}`, maxRetries: 0 });

async function chat(apiKey: string) {
  return openai(apiKey).chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] });
}

describe('credentials made with the CLI, used by the openai SDK', () => {
  it('keeps the local secrets and the admin token readable by their owner only', () => {
    expect(statSync(join(gateway.dataDir, 'admin-token')).mode & 0o777).toBe(0o600);
    expect(statSync(join(gateway.dataDir, 'secrets.json')).mode & 0o777).toBe(0o600);
  });

  it('lists the provider key without its secret', async () => {
    const list = await runCli(['provider-keys', 'list'], { env: cliEnv });
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/KEY\s+NAME\s+BASE URL/);
    expect(list.stdout).toContain('openai/prod');
    expect(list.stdout).not.toContain(PROVIDER_KEY);
  });

  it('a virtual key: the upstream receives the real provider key, the record names the key', async () => {
    const created = await cliJson<{ secret: string; key: { id: string; hint: string } }>(
      ['keys', 'create', '--name', 'chat-app', '--profile', 'team-a', '--provider-key', 'openai=prod', '--expires-in', '30d'],
      { env: cliEnv },
    );
    expect(created.secret).toMatch(/^sk-sluice-[A-Za-z0-9_-]{43}$/);
    expect(created.key.hint).toBe(`${created.secret.slice(0, 14)}…`);

    const completion = await chat(created.secret);
    expect(completion.choices[0]?.message.content).toBe('Hello from the fake upstream.');
    expect(fake.last!.headers.authorization).toBe(`Bearer ${PROVIDER_KEY}`);
    expect(JSON.stringify(fake.last!.headers)).not.toContain(created.secret);

    const [record] = await gateway.waitForRecords(1, 'team-a');
    expect(record).toMatchObject({ status: 200, credential: { kind: 'virtual-key', id: created.key.id } });

    const keys = await cliJson<Array<{ id: string; lastUsedAt?: string; status: string }>>(['keys', 'list'], { env: cliEnv });
    const listed = keys.find((k) => k.id === created.key.id)!;
    expect(listed).toMatchObject({ status: 'active' });
    expect(listed.lastUsedAt).toBeDefined();
    expect(JSON.stringify(keys)).not.toContain(created.secret);

    const table = await runCli(['keys', 'list'], { env: cliEnv });
    expect(table.stdout).toContain(created.key.id.slice(0, 12));
    expect(table.stdout).not.toContain(created.secret);
  });

  it('revoking a key with the CLI shuts it out', async () => {
    const created = await cliJson<{ secret: string; key: { id: string } }>(
      ['keys', 'create', '--name', 'short-lived', '--profile', 'team-a', '--provider-key', 'openai=prod'],
      { env: cliEnv },
    );
    await chat(created.secret);
    const revoke = await runCli(['keys', 'revoke', created.key.id.slice(0, 10)], { env: cliEnv });
    expect(revoke.code).toBe(0);
    expect(revoke.stdout).toContain('Revoked virtual key');
    const calls = fake.received.length;
    await expect(chat(created.secret)).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
    expect(fake.received.length).toBe(calls);
  });

  it('an OAuth client: client credentials give a token the SDK uses like a key', async () => {
    const created = await cliJson<{ client: { clientId: string }; clientSecret: string }>(
      ['oauth-clients', 'create', '--name', 'billing-service', '--profile', 'team-a', '--provider-key', 'openai=prod'],
      { env: cliEnv },
    );
    const response = await fetch(`${gateway.url}/oauth/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${created.client.clientId}:${created.clientSecret}`).toString('base64')}`,
      },
      body: 'grant_type=client_credentials&scope=llm%3Aproxy',
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const token = (await response.json()) as { access_token: string; token_type: string; expires_in: number; scope: string };
    expect(token).toMatchObject({ token_type: 'Bearer', expires_in: 900, scope: 'llm:proxy' });

    const completion = await chat(token.access_token);
    expect(completion.choices).toHaveLength(1);
    expect(fake.last!.headers.authorization).toBe(`Bearer ${PROVIDER_KEY}`);
    const records = await gateway.records('team-a');
    expect(records.at(-1)).toMatchObject({ credential: { kind: 'oauth-client', id: created.client.clientId } });

    const post = await fetch(`${gateway.url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: created.client.clientId,
        client_secret: created.clientSecret,
      }),
    });
    expect(post.status).toBe(200);
  });

  it('a JWT of a trusted identity provider: its claims pick the provider key', async () => {
    const update = await runCli(
      [
        'profiles', 'update', 'team-a',
        '--jwks-issuer', idp.issuer,
        '--jwks-url', idp.jwksUrl,
        '--jwks-audience', 'sluice-team-a',
        '--jwks-rule', 'groups=ml-admins:openai=prod',
      ],
      { env: cliEnv },
    );
    expect(update.stderr).toBe('');
    expect(update.stdout).toContain(idp.jwksUrl);

    const token = await idp.sign({ sub: 'alice@example.com', aud: 'sluice-team-a', groups: ['staff', 'ml-admins'] });
    const completion = await chat(token);
    expect(completion.choices).toHaveLength(1);
    expect(fake.last!.headers.authorization).toBe(`Bearer ${PROVIDER_KEY}`);
    const records = await gateway.records('team-a');
    expect(records.at(-1)).toMatchObject({ credential: { kind: 'jwks', id: 'alice@example.com' } });

    const outsider = await idp.sign({ sub: 'bob@example.com', aud: 'sluice-team-a', groups: ['staff'] });
    const calls = fake.received.length;
    await expect(chat(outsider)).rejects.toBeInstanceOf(OpenAI.PermissionDeniedError);
    expect(fake.received.length).toBe(calls);
  });

  it('lists interactions by profile with the credential that made them', async () => {
    const rows = await cliJson<Array<{ profileId: string; credential?: { kind: string } }>>(
      ['interactions', 'list', '--profile', 'team-a', '--since', '1h'],
      { env: cliEnv },
    );
    expect(rows.length).toBeGreaterThanOrEqual(4);
    expect(rows.every((row) => row.profileId === 'team-a')).toBe(true);
    expect(new Set(rows.map((row) => row.credential?.kind))).toEqual(new Set(['virtual-key', 'oauth-client', 'jwks', undefined]));
    const table = await runCli(['interactions', 'list', '--profile', 'team-a', '--limit', '2'], { env: cliEnv });
    expect(table.stdout.trim().split('\n')).toHaveLength(3);
    expect(table.stdout).toMatch(/TIME\s+PROVIDER\s+MODEL/);
  });

  it('says clearly what the admin API refused', async () => {
    const noProfile = await runCli(['keys', 'create', '--name', 'x', '--profile', 'ghost', '--provider-key', 'openai=prod'], { env: cliEnv });
    expect(noProfile.code).toBe(1);
    expect(noProfile.stderr).toBe("sluice: 400 Profile 'ghost' does not exist.\n");

    const noKey = await runCli(['keys', 'create', '--name', 'x', '--profile', 'team-a', '--provider-key', 'openai=missing'], { env: cliEnv });
    expect(noKey.stderr).toContain("Provider key 'openai/missing' does not exist");

  });

  it('says clearly what is wrong with a command line', async () => {
    const badOption = await runCli(['keys', 'create', '--nmae', 'x'], { env: cliEnv });
    expect(badOption.code).toBe(2);
    expect(badOption.stderr).toContain("Unknown option '--nmae'");

    const badPair = await runCli(['keys', 'create', '--name', 'x', '--profile', 'team-a', '--provider-key', 'openai'], { env: cliEnv });
    expect(badPair.code).toBe(2);
    expect(badPair.stderr).toContain('--provider-key takes provider=keyId');

    const noSecret = await runCli(['provider-keys', 'create', 'openai/other'], { env: cliEnv });
    expect(noSecret.code).toBe(2);
    expect(noSecret.stderr).toContain('--api-key-stdin');

    const help = await runCli(['keys', 'help'], { env: cliEnv });
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('sluice keys revoke <id>');

  });

  it('says clearly when the admin API cannot be reached or refuses the token', async () => {
    const unreachable = await runCli(['profiles', 'list'], { env: { ...cliEnv, SLUICE_ADMIN_URL: 'http://127.0.0.1:1' } });
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toContain('Cannot reach the admin API at http://127.0.0.1:1');

    const noToken = await runCli(['profiles', 'list'], { env: { SLUICE_ADMIN_URL: gateway.url, SLUICE_DATA_DIR: join(gateway.dataDir, 'nowhere') } });
    expect(noToken.code).toBe(1);
    expect(noToken.stderr).toContain('No admin token at');

    const wrongToken = await runCli(['profiles', 'list'], { env: { ...cliEnv, SLUICE_ADMIN_TOKEN: 'sk-sluice-admin-wrong' } });
    expect(wrongToken.code).toBe(1);
    expect(wrongToken.stderr).toContain('401 The local admin API needs the bearer token');

  });
});
