import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../lib/config/index.ts';
import { SluiceError } from '../../lib/errors/sluice-error.ts';
import type { SluiceRequest } from '../../lib/http/request.ts';
import { defaultProfile } from '../../lib/profiles/profile.ts';
import { createGeminiProvider } from '../../lib/providers/gemini/provider.ts';
import { CachedAccessToken, type AccessToken } from '../../lib/providers/gemini/vertex-token.ts';

function countingSource(tokens: AccessToken[]) {
  const source = Object.assign(
    async () => {
      source.calls++;
      const next = tokens.shift();
      if (!next) throw new Error('no more tokens');
      return next;
    },
    { calls: 0 },
  );
  return source;
}

describe('CachedAccessToken', () => {
  it('reuses a token until the refresh margin before it expires, then fetches a new one', async () => {
    let now = 1_000_000;
    const source = countingSource([
      { token: 'first', expiresAt: now + 60 * 60_000 },
      { token: 'second', expiresAt: now + 2 * 60 * 60_000 },
    ]);
    const cache = new CachedAccessToken(source, { now: () => now, refreshMarginMs: 5 * 60_000 });
    expect(await cache.get()).toBe('first');
    now += 54 * 60_000;
    expect(await cache.get()).toBe('first');
    expect(source.calls).toBe(1);
    now += 2 * 60_000; // 4 minutes left: inside the margin
    expect(await cache.get()).toBe('second');
    expect(source.calls).toBe(2);
  });

  it('shares one fetch between concurrent callers', async () => {
    let release!: (token: AccessToken) => void;
    let calls = 0;
    const cache = new CachedAccessToken(() => {
      calls++;
      return new Promise<AccessToken>((resolve) => (release = resolve));
    });
    const waiting = Promise.all([cache.get(), cache.get(), cache.get()]);
    release({ token: 'shared', expiresAt: Date.now() + 3_600_000 });
    expect(await waiting).toEqual(['shared', 'shared', 'shared']);
    expect(calls).toBe(1);
  });

  it('reuses a token without an expiry for the configured time only', async () => {
    let now = 0;
    const source = countingSource([{ token: 'a' }, { token: 'b' }]);
    const cache = new CachedAccessToken(source, { now: () => now, refreshMarginMs: 0, unknownExpiryMs: 1000 });
    expect(await cache.get()).toBe('a');
    now = 999;
    expect(await cache.get()).toBe('a');
    now = 1000;
    expect(await cache.get()).toBe('b');
  });

  it('turns a failed fetch into a 502 that names the settings, and tries again on the next call', async () => {
    let fail = true;
    const cache = new CachedAccessToken(async () => {
      if (fail) throw new Error('Could not load the default credentials.\nstack detail');
      return { token: 'recovered', expiresAt: Date.now() + 3_600_000 };
    });
    const error = await cache.get().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SluiceError);
    expect(error).toMatchObject({ kind: 'upstream_error', status: 502, code: 'vertex_auth_failed' });
    expect((error as Error).message).toContain('Could not load the default credentials.');
    expect((error as Error).message).not.toContain('stack detail');
    expect((error as Error).message).toContain('SLUICE_GEMINI_VERTEX_AI_CREDENTIALS_FILE');
    fail = false;
    expect(await cache.get()).toBe('recovered');
  });
});

function request(path: string, query = ''): SluiceRequest {
  return {
    method: 'POST',
    path,
    query: new URLSearchParams(query),
    headers: { 'content-type': 'application/json', 'x-goog-api-key': 'client-key-123456' },
    body: Buffer.from('{"contents":[]}'),
    sourceIp: '127.0.0.1',
    requestId: 'r1',
    receivedAt: 0,
  };
}

const profile = defaultProfile();

async function prepareVertexCall(env: Record<string, string>, path: string, query = '') {
  const config = loadConfig(env);
  const sources: string[] = [];
  const provider = createGeminiProvider({
    vertexTokenSource: (vertex) => {
      sources.push(vertex.credentialsFile ?? 'adc');
      return async () => ({ token: `token-for-${vertex.project}`, expiresAt: Date.now() + 3_600_000 });
    },
  });
  const endpoint = provider.endpoints[0]!;
  const params = endpoint.match(path)!;
  const call = await endpoint.prepare({
    request: request(path, query),
    params,
    profile,
    config,
    apiKey: provider.clientKey(request(path)),
    baseUrl: provider.baseUrl(config)!,
  });
  return { call, provider, config, sources };
}

describe('Gemini provider in Vertex AI mode', () => {
  it('calls the regional Vertex endpoint with the injected token and no client key', async () => {
    const { call, provider, config, sources } = await prepareVertexCall(
      { SLUICE_GEMINI_VERTEX_AI_ENABLED: 'true', SLUICE_GEMINI_VERTEX_AI_PROJECT: 'proj-1' },
      '/v1beta/models/gemini-2.5-pro:streamGenerateContent',
      'alt=sse&key=client-key-123456',
    );
    expect(call.url).toBe(
      'https://us-central1-aiplatform.googleapis.com/v1/projects/proj-1/locations/us-central1/publishers/google/models/gemini-2.5-pro:streamGenerateContent?alt=sse',
    );
    expect(call.headers.authorization).toBe('Bearer token-for-proj-1');
    expect(call.headers['x-goog-api-key']).toBeUndefined();
    expect(call.stream).toBe(true);
    expect(provider.keyRequired(config)).toBe(false);
    expect(sources).toEqual(['adc']);
  });

  it('uses the global host for the global location and the credentials file when given', async () => {
    const { call, sources } = await prepareVertexCall(
      {
        SLUICE_GEMINI_VERTEX_AI_ENABLED: 'true',
        SLUICE_GEMINI_VERTEX_AI_PROJECT: 'proj-2',
        SLUICE_GEMINI_VERTEX_AI_LOCATION: 'global',
        SLUICE_GEMINI_VERTEX_AI_CREDENTIALS_FILE: '/secrets/sa.json',
      },
      '/v1beta/models/gemini-2.5-flash:generateContent',
    );
    expect(call.url).toBe(
      'https://aiplatform.googleapis.com/v1/projects/proj-2/locations/global/publishers/google/models/gemini-2.5-flash:generateContent',
    );
    expect(sources).toEqual(['/secrets/sa.json']);
  });

  it('sends the Gemini API key as x-goog-api-key when Vertex AI is off', async () => {
    const { call, provider, config } = await prepareVertexCall({}, '/v1beta/models/gemini-2.5-flash:generateContent', 'key=client-key-123456');
    expect(call.url).toBe('https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:generateContent');
    expect(call.headers['x-goog-api-key']).toBe('client-key-123456');
    expect(call.headers.authorization).toBeUndefined();
    expect(provider.keyRequired(config)).toBe(true);
  });

  it('fails with the variable name when Vertex AI is on without a project', async () => {
    await expect(prepareVertexCall({ SLUICE_GEMINI_VERTEX_AI_ENABLED: 'true' }, '/v1/models/m:generateContent')).rejects.toThrow(
      /SLUICE_GEMINI_VERTEX_AI_PROJECT/,
    );
  });
});
