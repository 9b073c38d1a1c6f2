import OpenAI from 'openai';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import type { FakeServer } from '../fakes/fake-server.ts';
import { startIdentityProvider, withForgedClaims, type TestIdentityProvider } from '../fakes/identity-provider.ts';
import { openAiChat, startFakeOpenAi } from '../fakes/openai-upstream.ts';
import { runCli, type CliResult } from '../support/cli.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PROVIDER_KEY = 'sk-proj-LOGCHECK-provider-key-9f8e7d6c';
const SERVER_DEFAULT_KEY = 'sk-proj-LOGCHECK-server-default-5a4b3c';
const PASSTHROUGH_KEY = 'sk-proj-LOGCHECK-client-own-key-1a2b3c';

let server: ChildProcess | undefined;
let fake: FakeServer | undefined;
let idp: TestIdentityProvider | undefined;
const dataDir = mkdtempSync(join(tmpdir(), 'sluice-logs-'));

afterAll(async () => {
  rmSync(dataDir, { recursive: true, force: true });
  if (server && server.exitCode === null) server.kill('SIGKILL');
  await fake?.close();
  await idp?.close();
});

/** `sluice start` as its own process, every line it writes kept. */
async function startServer(env: Record<string, string>): Promise<{ url: string; output: () => string; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, ['bin/sluice.ts', 'start'], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  server = child;
  let output = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the server did not start:\n${output}`)), 20_000);
    const look = () => {
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout!.on('data', look);
    child.once('exit', (code) => reject(new Error(`the server exited (${code}):\n${output}`)));
  });
  return {
    url,
    output: () => output,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

describe('no key or token ever reaches a log', () => {
  it('captures every line of the server and the CLI through a run and finds no secret in it', async () => {
    fake = await startFakeOpenAi();
    idp = await startIdentityProvider();
    const running = await startServer({
      PORT: '0',
      SLUICE_DATA_DIR: dataDir,
      SLUICE_LOG_LEVEL: 'DEBUG',
      SLUICE_OPENAI_BASE_URL: `${fake.url}/v1`,
      SLUICE_OPENAI_API_KEY: SERVER_DEFAULT_KEY,
    });
    const env = { SLUICE_ADMIN_URL: running.url, SLUICE_DATA_DIR: dataDir, SLUICE_LOG_LEVEL: 'DEBUG' };
    const logs: CliResult[] = [];
    /** Output meant to show a secret once (the creating command's stdout) is checked apart. */
    const shown: string[] = [];
    const cli = async (args: string[], input?: string) => {
      const result = await runCli(args, { env, input });
      expect(result.code, result.stderr).toBe(0);
      logs.push(result);
      return result;
    };
    const cliShowingSecret = async (args: string[]) => {
      const result = await runCli(args, { env });
      expect(result.code, result.stderr).toBe(0);
      shown.push(result.stdout);
      logs.push({ ...result, stdout: '' });
      return JSON.parse(result.stdout) as Record<string, unknown>;
    };

    await cli(['profiles', 'create', 'app', '--name', 'App']);
    await cli(['provider-keys', 'create', 'openai/prod', '--api-key-stdin'], PROVIDER_KEY);
    const key = (await cliShowingSecret(['keys', 'create', '--name', 'k', '--profile', 'app', '--provider-key', 'openai=prod', '--json']))
      .secret as string;
    const revoked = (await cliShowingSecret(['keys', 'create', '--name', 'r', '--profile', 'app', '--provider-key', 'openai=prod', '--json'])) as {
      secret: string;
      key: { id: string };
    };
    await cli(['keys', 'revoke', revoked.key.id]);
    const client = (await cliShowingSecret(['oauth-clients', 'create', '--name', 's', '--profile', 'app', '--provider-key', 'openai=prod', '--json'])) as {
      client: { clientId: string };
      clientSecret: string;
    };
    await cli(['profiles', 'update', 'app', '--jwks-issuer', idp.issuer, '--jwks-url', idp.jwksUrl, '--jwks-audience', 'app', '--jwks-provider-key', 'openai=prod']);

    const tokenResponse = await fetch(`${running.url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: client.client.clientId, client_secret: client.clientSecret }),
    });
    const accessToken = ((await tokenResponse.json()) as { access_token: string }).access_token;
    const wrongSecret = `${client.clientSecret.slice(0, -4)}AAAA`;
    await fetch(`${running.url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: client.client.clientId, client_secret: wrongSecret }),
    });
    const identityToken = await idp.sign({ sub: 'alice', aud: 'app' });
    const forgedToken = withForgedClaims(identityToken, { sub: 'mallory' });
    const wrongKey = `${key.slice(0, -4)}ZZZZ`;

    const openai = (apiKey: string) => new OpenAI({ apiKey, baseURL: `${running.url}/v1/openai/app`, maxRetries: 0 });
    const ask = (apiKey: string) => openai(apiKey).chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] });
    await ask(key);
    for await (const chunk of await openai(accessToken).chat.completions.create({ model: 'm', messages: [], stream: true })) void chunk;
    await ask(identityToken);
    await ask(PASSTHROUGH_KEY);
    await fetch(`${running.url}/v1/openai/app/chat/completions`, { method: 'POST', body: '{"model":"m","messages":[]}' });
    for (const bad of [wrongKey, revoked.secret, forgedToken]) await ask(bad).catch(() => undefined);
    // An upstream that echoes the key in its error, as OpenAI does for a wrong key.
    fake.use(openAiChat({ failWith: { status: 401, message: `Incorrect API key provided: ${PROVIDER_KEY}.`, type: 'invalid_request_error' } }));
    await ask(key).catch(() => undefined);
    await fetch(`${running.url}/admin/profiles`, { headers: { authorization: 'Bearer sk-sluice-admin-guess' } });

    await cli(['keys', 'list']);
    await cli(['keys', 'list', '--json']);
    await cli(['oauth-clients', 'list', '--json']);
    await cli(['provider-keys', 'list', '--json']);
    const records = await cli(['interactions', 'list', '--profile', 'app', '--json']);
    await running.stop();

    const adminToken = readFileSync(join(dataDir, 'admin-token'), 'utf8').trim();
    const signingKey = (JSON.parse(readFileSync(join(dataDir, 'secrets.json'), 'utf8')) as { oauthSigningKey: string }).oauthSigningKey;
    const secrets = {
      PROVIDER_KEY,
      SERVER_DEFAULT_KEY,
      PASSTHROUGH_KEY,
      key,
      wrongKey,
      revokedKey: revoked.secret,
      clientSecret: client.clientSecret,
      wrongSecret,
      accessToken,
      identityToken,
      forgedToken,
      adminToken,
      signingKey,
    };

    const serverOutput = running.output();
    // The run was logged at DEBUG, so there was something to look at.
    expect(serverOutput).toContain('"message":"admin request"');
    expect((JSON.parse(records.stdout) as unknown[]).length).toBe(9);
    const everything = [serverOutput, ...logs.flatMap((r) => [r.stdout, r.stderr])].join('\n');
    for (const [name, secret] of Object.entries(secrets)) {
      expect(everything.includes(secret), `${name} appears in the logs`).toBe(false);
    }
    // Each secret Sluice made appears exactly once: in the output of the command that made it.
    expect(shown.join('\n').split(key).length - 1).toBe(1);
    expect(shown.join('\n').split(client.clientSecret).length - 1).toBe(1);
    expect(shown.join('\n')).not.toContain(PROVIDER_KEY);
  }, 120_000);
});
