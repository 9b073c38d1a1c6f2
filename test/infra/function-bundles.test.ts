import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BedrockRuntimeClient, ConverseCommand } from '@aws-sdk/client-bedrock-runtime';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { SIDE_PACKAGES } from '../../infra/side-packages.ts';
import { ESM_REQUIRE_BANNER } from '../../infra/bundling.ts';
import { formatBundleSizes, functionBundles, type FunctionBundle } from '../../infra/function-bundles.ts';
import { defaultAdminFunction } from '../../infra/gateway-stack.ts';
import { proxyFunctions } from '../../lib/function-catalog.ts';
import { InteractionStore } from '../../lib/interactions/interaction-store.ts';
import { createLogger } from '../../lib/observability/logger.ts';
import { openAiChat, startFakeOpenAi } from '../fakes/openai-upstream.ts';
import { checkSigV4, startFakeBedrock } from '../fakes/bedrock-upstream.ts';
import type { FakeServer } from '../fakes/fake-server.ts';
import { startEmbeddedStorage, type EmbeddedStorage } from '../support/embedded-storage.ts';
import { importBundle, serveBundledHandler } from './bundled-handler-server.ts';
import { synthGateway } from './support.ts';

// esbuild runs once per function, on a machine shared with other work.
vi.setConfig({ testTimeout: 180_000, hookTimeout: 180_000 });

const MiB = 1024 * 1024;
const projectRoot = join(import.meta.dirname, '..', '..');
let outdir: string;
let bundles: FunctionBundle[];

beforeAll(() => {
  outdir = mkdtempSync(join(tmpdir(), 'sluice-cdk-'));
  const { app, stack } = synthGateway({ bundle: true, outdir, adminFunction: defaultAdminFunction(projectRoot) ?? null });
  bundles = functionBundles(stack, stack.functions, app.synth());
  console.log(`Function bundles (esbuild, minified ESM):\n${formatBundleSizes(bundles)}`);
});

afterAll(() => {
  if (outdir) rmSync(outdir, { recursive: true, force: true });
});

/**
 * A bundle's handler served over HTTP as its Function URL would, on the embedded storage and with
 * `env` set (each bundle carries its own copy of lib/, which reads the environment on its first
 * request); `close` stops both and puts the environment back.
 */
async function serveBundle(
  name: string,
  env: Record<string, string>,
): Promise<{ url: string; storage: EmbeddedStorage; close: () => Promise<void> }> {
  const storage = await startEmbeddedStorage();
  const stop = async (server?: { close: () => Promise<void> }) => {
    await server?.close();
    await storage.close();
    vi.unstubAllEnvs();
  };
  try {
    for (const [variable, value] of Object.entries({ SLUICE_DYNAMODB_ENDPOINT: storage.dynamo.endpoint, SLUICE_LOG_LEVEL: 'ERROR', ...env })) {
      vi.stubEnv(variable, value);
    }
    const { handler } = await importBundle(bundles.find((b) => b.name === name)!.file);
    const server = await serveBundledHandler(handler!);
    return { url: server.url, storage, close: () => stop(server) };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** A bundle and the side packages shipped beside it. */
function filesOf(bundle: FunctionBundle): string[] {
  const sidecars = SIDE_PACKAGES.map((name) => join(bundle.directory, 'node_modules', name, 'index.mjs')).filter((file) => existsSync(file));
  return [bundle.file, ...sidecars];
}

/** What `process.moduleLoadList` holds after importing the bundle in a fresh process, as Lambda starts one. */
function modulesLoadedByImporting(bundle: FunctionBundle): string[] {
  const script = `
    globalThis.awslambda = { streamifyResponse: (handler) => handler, HttpResponseStream: { from: (stream) => stream } };
    await import(process.argv[1]);
    process.stdout.write(JSON.stringify(process.moduleLoadList));
  `;
  const loaded = execFileSync(process.execPath, ['--input-type=module', '-e', script, bundle.file], {
    env: { PATH: process.env.PATH, AWS_REGION: 'us-east-1' },
    encoding: 'utf8',
  });
  return JSON.parse(loaded) as string[];
}

describe('function bundles', () => {
  it('builds one bundle per deployed function', () => {
    const expected = proxyFunctions.map((f) => f.name);
    if (defaultAdminFunction(projectRoot)) expected.push('admin');
    expected.push('oauth');
    expect(bundles.map((b) => b.name)).toEqual(expected);
  });

  it('keeps every bundle a single ESM file under 1 MiB, with a linked source map', () => {
    for (const bundle of bundles) {
      expect(bundle.bytes, bundle.name).toBeLessThan(MiB);
      const code = readFileSync(bundle.file, 'utf8');
      expect(code.startsWith(ESM_REQUIRE_BANNER)).toBe(true);
      expect(code.trimEnd().endsWith('//# sourceMappingURL=index.mjs.map')).toBe(true);
      const map = JSON.parse(readFileSync(`${bundle.file}.map`, 'utf8')) as { sources: string[]; sourcesContent?: unknown };
      expect(map.sources.some((source) => source.includes('functions/'))).toBe(true);
      expect(map.sourcesContent).toBeUndefined();
    }
  });

  it('ships each lazily imported side package a bundle uses beside it, and leaves it out of the bundle', () => {
    const priceCatalogUsers = bundles.filter((bundle) => readFileSync(bundle.file, 'utf8').includes('"@pydantic/genai-prices"'));
    expect(priceCatalogUsers.map((b) => b.name)).toContain('openai');
    for (const bundle of bundles) {
      const code = readFileSync(bundle.file, 'utf8');
      for (const name of SIDE_PACKAGES) {
        const sidecar = join(bundle.directory, 'node_modules', name, 'index.mjs');
        expect(existsSync(sidecar), `${bundle.name}: ${name}`).toBe(code.includes(`"${name}"`));
      }
    }
    const gemini = bundles.find((b) => b.name === 'gemini')!;
    expect(existsSync(join(gemini.directory, 'node_modules', 'google-auth-library', 'index.mjs'))).toBe(true);
  });

  it('takes node:http as the built-in, so that importing a bundle does not load undici', () => {
    // An ES-module import of node:http reads its WebSocket, CloseEvent and MessageEvent exports,
    // which load undici: 25–45 ms of a cold start.
    for (const bundle of bundles) {
      for (const file of filesOf(bundle)) {
        const code = readFileSync(file, 'utf8');
        expect(code.match(/(from|import)\s*["'](node:)?http["']/g) ?? [], file).toEqual([]);
      }
      expect(modulesLoadedByImporting(bundle).filter((name) => name.includes('undici')), bundle.name).toEqual([]);
    }
  });

  it('leaves the SDK\'s default credential chain out: on Lambda the role\'s credentials are in the environment', () => {
    // Strings only the chain's other sources carry (web identity, process profiles, container
    // credentials); importing a bundle no longer loads child_process (the process profiles').
    const chainOnly = ['AWS_WEB_IDENTITY_TOKEN_FILE', 'credential_process', 'AWS_CONTAINER_CREDENTIALS_FULL_URI'];
    for (const bundle of bundles) {
      for (const file of filesOf(bundle)) {
        const code = readFileSync(file, 'utf8');
        expect(chainOnly.filter((marker) => code.includes(marker)), file).toEqual([]);
      }
      expect(modulesLoadedByImporting(bundle), bundle.name).not.toContain('NativeModule child_process');
    }
  });

  it('loads every bundle on Node 24 as an ES module that exports a streaming handler', async () => {
    for (const bundle of bundles) {
      const module = await importBundle(bundle.file);
      expect(typeof module.handler, bundle.name).toBe('function');
      expect((module.handler as unknown as Record<symbol, unknown>)[Symbol.for('sluice.streamingHandler')], bundle.name).toBe(true);
    }
  });
});

describe('the bundled OpenAI handler', () => {
  let fake: FakeServer;
  let server: Awaited<ReturnType<typeof serveBundle>>;
  let client: OpenAI;

  beforeAll(async () => {
    fake = await startFakeOpenAi();
    fake.use(openAiChat());
    server = await serveBundle('openai', { SLUICE_OPENAI_BASE_URL: `${fake.url}/v1` });
    client = new OpenAI({ apiKey: 'sk-client-key', baseURL: `${server.url}/v1/openai`, maxRetries: 0 });
  });

  afterAll(async () => {
    await server?.close();
    await fake?.close();
  });

  it('answers a completion, plain and streamed, and records both', async () => {
    const completion = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] });
    expect(completion.choices[0]?.message.content).toBe('Hello from the fake upstream.');
    expect(fake.last?.headers.authorization).toBe('Bearer sk-client-key');

    const stream = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Hi' }],
      stream: true,
    });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe('Hello from the fake upstream.');

    const { db, config } = server.storage;
    const store = new InteractionStore(db, config.storage.tables.interactions, 1, createLogger(config));
    const records = await store.list('default');
    expect(records.map((r) => [r.provider, r.stream, r.status])).toEqual(
      expect.arrayContaining([
        ['openai', false, 200],
        ['openai', true, 200],
      ]),
    );
  });

  it('answers an unknown route with a 404 in the OpenAI dialect', async () => {
    const response = await fetch(`${server.url}/v1/openai/no/such/path`, { method: 'POST', body: '{}' });
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: { code: 'unknown_route' } });
  });
});

describe('the bundled Bedrock handler with IAM auth', () => {
  /** The execution role's credentials, as Lambda puts them in the environment. */
  const ROLE_CREDENTIALS = {
    accessKeyId: 'AKIDBUNDLEROLE00001',
    secretAccessKey: 'bundle-role-secret-access-key',
    sessionToken: 'bundle-role-session-token',
  };
  const REGION = 'us-west-2';
  let fake: FakeServer;
  let server: Awaited<ReturnType<typeof serveBundle>>;
  let client: BedrockRuntimeClient;

  beforeAll(async () => {
    fake = await startFakeBedrock();
    server = await serveBundle('bedrock', {
      SLUICE_BEDROCK_BASE_URL: fake.url,
      SLUICE_BEDROCK_REGION: REGION,
      SLUICE_BEDROCK_IAM_AUTH_ENABLED: 'true',
      AWS_ACCESS_KEY_ID: ROLE_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: ROLE_CREDENTIALS.secretAccessKey,
      AWS_SESSION_TOKEN: ROLE_CREDENTIALS.sessionToken,
    });
    client = new BedrockRuntimeClient({
      region: REGION,
      endpoint: `${server.url}/v1/bedrock`,
      credentials: { accessKeyId: 'AKIDCLIENTEXAMPLE01', secretAccessKey: 'client-secret-access-key-example' },
      requestHandler: new NodeHttpHandler(),
      maxAttempts: 1,
    });
  });

  afterAll(async () => {
    client?.destroy();
    await server?.close();
    await fake?.close();
  });

  it('signs the upstream call with the credentials in the environment', async () => {
    const response = await client.send(
      new ConverseCommand({ modelId: 'us.amazon.nova-pro-v1:0', messages: [{ role: 'user', content: [{ text: 'Hi' }] }] }),
    );
    expect(response.output?.message?.content?.[0]?.text).toBe('Hello from the fake Bedrock.');
    expect(fake.last!.headers['x-amz-security-token']).toBe(ROLE_CREDENTIALS.sessionToken);
    expect(await checkSigV4(fake.last!, ROLE_CREDENTIALS, REGION)).toMatchObject({ accessKeyId: ROLE_CREDENTIALS.accessKeyId, valid: true });
  });
});
