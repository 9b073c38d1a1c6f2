import { ApiError, GoogleGenAI, Type } from '@google/genai';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { getRuntime } from '../../lib/runtime.ts';
import type { FakeServer } from '../fakes/fake-server.ts';
import { geminiGenerate, startFakeGemini } from '../fakes/gemini-upstream.ts';
import { startGateway, type TestGateway } from '../support/gateway.ts';

const CLIENT_KEY = 'AIzaSy-client-key-0123456789';
let fake: FakeServer;
let gateway: TestGateway;
let genai: GoogleGenAI;

beforeAll(async () => {
  fake = await startFakeGemini();
  gateway = await startGateway({
    SLUICE_GEMINI_BASE_URL: fake.url,
    SLUICE_GEMINI_API_KEY: undefined,
    SLUICE_GEMINI_VERTEX_AI_ENABLED: undefined,
    SLUICE_MAX_BODY_BYTES: '65536',
  });
  genai = new GoogleGenAI({ apiKey: CLIENT_KEY, httpOptions: { baseUrl: `${gateway.url}/v1/gemini` } });
});

afterAll(async () => {
  await gateway?.close();
  await fake?.close();
});

beforeEach(() => fake.use(geminiGenerate()));

async function recordsAfter(before: number, profileId = 'default') {
  const records = await gateway.waitForRecords(before + 1, profileId);
  return records.slice(before);
}

const weatherTool = {
  functionDeclarations: [
    {
      name: 'get_weather',
      description: 'Weather for a city',
      parameters: { type: Type.OBJECT, properties: { city: { type: Type.STRING } }, required: ['city'] },
    },
  ],
};

function post(path: string, body: string, headers: Record<string, string> = {}) {
  return fetch(`${gateway.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-goog-api-key': CLIENT_KEY, ...headers },
    body,
  });
}

describe('Gemini through Sluice with @google/genai', () => {
  it('answers generateContent, forwards the key as x-goog-api-key and records tokens', async () => {
    const before = (await gateway.records()).length;
    const response = await genai.models.generateContent({ model: 'gemini-2.5-flash', contents: 'Hi' });
    expect(response.text).toBe('Hello from the fake Gemini.');
    expect(response.usageMetadata?.promptTokenCount).toBe(11);

    const received = fake.last!;
    // @google/genai 3 calls the v1 API unless told otherwise.
    expect(received.path).toBe('/v1/models/gemini-2.5-flash:generateContent');
    expect(received.headers['x-goog-api-key']).toBe(CLIENT_KEY);
    expect(received.query.get('key')).toBeNull();
    expect(received.json).toMatchObject({ contents: [{ role: 'user', parts: [{ text: 'Hi' }] }] });

    const [record] = await recordsAfter(before);
    expect(record).toMatchObject({
      provider: 'gemini',
      operation: 'chat',
      model: 'gemini-2.5-flash',
      responseModel: 'gemini-2.5-flash-001',
      stream: false,
      status: 200,
      outcome: 'success',
      inputTokens: 11,
      outputTokens: 9,
      cacheReadTokens: 4,
      reasoningTokens: 3,
    });
    expect(JSON.stringify(record)).not.toContain(CLIENT_KEY);
  });

  it('streams with alt=sse chunk by chunk and reads usage from the last chunk', async () => {
    fake.use(geminiGenerate({ content: 'one two three four', chunks: 4 }));
    const before = (await gateway.records()).length;
    const stream = await genai.models.generateContentStream({ model: 'gemini-2.5-flash', contents: 'count' });
    const texts: string[] = [];
    for await (const chunk of stream) texts.push(chunk.text ?? '');
    expect(texts.length).toBe(4);
    expect(texts.join('')).toBe('one two three four');
    expect(fake.last!.path).toBe('/v1/models/gemini-2.5-flash:streamGenerateContent');
    expect(fake.last!.query.get('alt')).toBe('sse');

    const [record] = await recordsAfter(before);
    expect(record).toMatchObject({ stream: true, status: 200, outcome: 'success', inputTokens: 11, outputTokens: 9 });
  });

  it('passes function calling through, plain and streamed', async () => {
    fake.use(geminiGenerate({ functionCalls: [{ name: 'get_weather', args: { city: 'Paris' } }] }));
    const plain = await genai.models.generateContent({
      model: 'gemini-2.5-flash',
      contents: 'Weather in Paris?',
      config: { tools: [weatherTool] },
    });
    expect(plain.functionCalls).toEqual([{ name: 'get_weather', args: { city: 'Paris' } }]);
    expect(fake.last!.json).toMatchObject({ tools: [{ functionDeclarations: [{ name: 'get_weather' }] }] });

    const stream = await genai.models.generateContentStream({
      model: 'gemini-2.5-flash',
      contents: 'Weather in Paris?',
      config: { tools: [weatherTool] },
    });
    const calls = [];
    for await (const chunk of stream) calls.push(...(chunk.functionCalls ?? []));
    expect(calls).toEqual([{ name: 'get_weather', args: { city: 'Paris' } }]);
  });

  it('raises the SDK ApiError for a provider error and keeps its status and body', async () => {
    fake.use(geminiGenerate({ failWith: { code: 400, status: 'INVALID_ARGUMENT', message: 'API key not valid.' } }));
    const before = (await gateway.records()).length;
    const error = await genai.models.generateContent({ model: 'gemini-2.5-flash', contents: 'x' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(400);
    expect((error as ApiError).message).toContain('API key not valid.');
    const [record] = await recordsAfter(before);
    expect(record).toMatchObject({ status: 400, outcome: 'upstream_error' });
    expect(record!.error?.message).toContain('API key not valid.');
  });

  it('ends a broken SSE stream with an error event that the SDK raises', async () => {
    fake.use(geminiGenerate({ content: 'abcdef', chunks: 3, cutAfterChunks: 1 }));
    const before = (await gateway.records()).length;
    const stream = await genai.models.generateContentStream({ model: 'gemini-2.5-flash', contents: 'x' });
    const texts: string[] = [];
    const error = await (async () => {
      for await (const chunk of stream) texts.push(chunk.text ?? '');
    })().catch((e: unknown) => e);
    expect(texts).toEqual(['ab']);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(502);
    const [record] = await recordsAfter(before);
    expect(record).toMatchObject({ stream: true, outcome: 'error', error: { kind: 'upstream_error' } });
  });

  it('records an error Google sends inside a stream, which the SDK raises', async () => {
    fake.use(
      geminiGenerate({
        content: 'abcdef',
        chunks: 3,
        errorAfterChunks: { chunks: 1, code: 503, status: 'UNAVAILABLE', message: 'The model is overloaded.' },
      }),
    );
    const before = (await gateway.records()).length;
    const stream = await genai.models.generateContentStream({ model: 'gemini-2.5-flash', contents: 'x' });
    const error = await (async () => {
      for await (const _chunk of stream) void _chunk;
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(503);
    const [record] = await recordsAfter(before);
    expect(record).toMatchObject({ stream: true, status: 200, outcome: 'upstream_error' });
    expect(record!.error?.message).toContain('The model is overloaded.');
  });

  it('serves the v1beta API under the base URL the seeds give', async () => {
    const beta = new GoogleGenAI({
      apiKey: CLIENT_KEY,
      httpOptions: { baseUrl: `${gateway.url}/v1/gemini`, apiVersion: 'v1beta' },
    });
    const response = await beta.models.generateContent({ model: 'gemini-2.5-flash', contents: 'Hi' });
    expect(response.text).toBe('Hello from the fake Gemini.');
    expect(fake.last!.path).toBe('/v1beta/models/gemini-2.5-flash:generateContent');
  });

  it('serves a named profile', async () => {
    await getRuntime().db.send(
      new PutCommand({
        TableName: getRuntime().config.storage.tables.profiles,
        Item: { id: 'team-g', name: 'Team G', createdAt: 'now', updatedAt: 'now' },
      }),
    );
    const team = new GoogleGenAI({ apiKey: CLIENT_KEY, httpOptions: { baseUrl: `${gateway.url}/v1/gemini/team-g` } });
    await team.models.generateContent({ model: 'gemini-2.5-flash', contents: 'Hi' });
    const [record] = await gateway.waitForRecords(1, 'team-g');
    expect(record).toMatchObject({ profileId: 'team-g', provider: 'gemini', inputTokens: 11 });
  });
});

describe('Gemini wire details', () => {
  it('forwards the body byte for byte, unknown fields included', async () => {
    const raw = '{ "contents":[{"role":"user","parts":[{"text":"caf\\u00e9"}]}],\n "x_custom": {"deep": [1, 2.50]} }';
    const response = await post('/v1/gemini/v1beta/models/gemini-2.5-flash:generateContent', raw);
    expect(response.status).toBe(200);
    expect(fake.last!.body.toString('utf8')).toBe(raw);
  });

  it('moves a ?key= key into x-goog-api-key and keeps it out of the upstream URL and the record', async () => {
    const before = (await gateway.records()).length;
    const response = await fetch(
      `${gateway.url}/v1/gemini/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse&key=${CLIENT_KEY}`,
      { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"contents":[]}' },
    );
    expect(response.status).toBe(200);
    await response.text();
    const received = fake.last!;
    expect(received.headers['x-goog-api-key']).toBe(CLIENT_KEY);
    expect(received.query.get('key')).toBeNull();
    expect(received.query.get('alt')).toBe('sse');
    const [record] = await recordsAfter(before);
    expect(record!.path).not.toContain(CLIENT_KEY);
    expect(JSON.stringify(record)).not.toContain(CLIENT_KEY);
  });

  it('relays a streamed JSON array (no alt=sse) as it arrives and reads its usage', async () => {
    fake.use(geminiGenerate({ content: 'one two three', chunks: 3 }));
    const direct = await (
      await fetch(`${fake.url}/v1beta/models/gemini-2.5-flash:streamGenerateContent`, { method: 'POST', body: '{}' })
    ).text();
    const before = (await gateway.records()).length;
    const response = await post('/v1/gemini/v1beta/models/gemini-2.5-flash:streamGenerateContent', '{"contents":[]}');
    expect(response.headers.get('content-type')).toContain('application/json');
    const text = await response.text();
    const normalize = (body: string) => body.replace(/resp-[a-z0-9]+/g, 'ID');
    expect(normalize(text)).toBe(normalize(direct));
    const elements = JSON.parse(text) as Array<{ candidates: Array<{ content: { parts: Array<{ text: string }> } }> }>;
    expect(elements.map((e) => e.candidates[0]!.content.parts[0]!.text).join('')).toBe('one two three');
    const [record] = await recordsAfter(before);
    expect(record).toMatchObject({ stream: true, outcome: 'success', inputTokens: 11, outputTokens: 9, cacheReadTokens: 4 });
  });

  it('forwards the first array element before the upstream has sent the rest', async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    fake.use(async (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json; charset=UTF-8' });
      res.write('[{"candidates":[{"content":{"parts":[{"text":"first"}],"role":"model"},"index":0}]}');
      await released;
      res.end(
        '\n,\r\n{"candidates":[{"content":{"parts":[{"text":" second"}],"role":"model"},"finishReason":"STOP","index":0}],"usageMetadata":{"promptTokenCount":3,"candidatesTokenCount":2,"totalTokenCount":5}}\n]',
      );
    });
    const response = await post('/v1/gemini/v1beta/models/gemini-2.5-flash:streamGenerateContent', '{"contents":[]}');
    const reader = response.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    expect(first).toContain('"first"');
    expect(first).not.toContain('second');
    release();
    let rest = '';
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      rest += new TextDecoder().decode(value);
    }
    expect(JSON.parse(first + rest)).toHaveLength(2);
  });

  it('closes a broken JSON array with an error element', async () => {
    fake.use(geminiGenerate({ content: 'abcdef', chunks: 3, cutAfterChunks: 1 }));
    const before = (await gateway.records()).length;
    const response = await post('/v1/gemini/v1beta/models/gemini-2.5-flash:streamGenerateContent', '{"contents":[]}');
    const elements = JSON.parse(await response.text()) as Array<{ error?: { code: number; status: string } }>;
    expect(elements).toHaveLength(2);
    expect(elements[1]!.error).toMatchObject({ code: 502, status: 'UNAVAILABLE' });
    const [record] = await recordsAfter(before);
    expect(record).toMatchObject({ outcome: 'error' });
  });

  it.each([
    ['malformed JSON', '/v1/gemini/v1beta/models/m:generateContent', '{"contents": [', {}, 400, 'INVALID_ARGUMENT'],
    ['a body that is not an object', '/v1/gemini/v1beta/models/m:generateContent', '[1]', {}, 400, 'INVALID_ARGUMENT'],
    ['contents of the wrong type', '/v1/gemini/v1beta/models/m:generateContent', '{"contents":"hi"}', {}, 400, 'INVALID_ARGUMENT'],
    ['an unknown profile', '/v1/gemini/no-such-profile/v1beta/models/m:generateContent', '{"contents":[]}', {}, 404, 'NOT_FOUND'],
    ['no key', '/v1/gemini/v1beta/models/m:generateContent', '{"contents":[]}', { 'x-goog-api-key': '' }, 401, 'UNAUTHENTICATED'],
    ['an unknown method', '/v1/gemini/v1beta/models/m:predictLongRunning', '{"contents":[]}', {}, 404, 'NOT_FOUND'],
    ['an oversized body', '/v1/gemini/v1beta/models/m:generateContent', JSON.stringify({ contents: [], pad: 'x'.repeat(70_000) }), {}, 413, 'INVALID_ARGUMENT'],
  ])('answers %s in the Google dialect and records it', async (_name, path, body, headers, status, googleStatus) => {
    const calls = fake.received.length;
    const response = await post(path, body, headers);
    expect(response.status).toBe(status);
    const json = (await response.json()) as { error: { code: number; message: string; status: string } };
    expect(json.error).toMatchObject({ code: status, status: googleStatus });
    expect(json.error.message.length).toBeGreaterThan(10);
    expect(fake.received.length).toBe(calls);
    expect(response.headers.get('x-sluice-interaction-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers 502 in the Google dialect when the upstream cannot be reached', async () => {
    const closed = await startFakeGemini();
    const url = closed.url;
    await closed.close();
    // The base URL is read per request: point it at a port nothing listens on for this one call.
    const original = getRuntime().config.providers.gemini!.baseUrl;
    getRuntime().config.providers.gemini!.baseUrl = url;
    try {
      const error = await genai.models.generateContent({ model: 'gemini-2.5-flash', contents: 'x' }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ApiError);
      expect((error as ApiError).status).toBe(502);
      expect((error as ApiError).message).toContain('UNAVAILABLE');
    } finally {
      getRuntime().config.providers.gemini!.baseUrl = original;
    }
  });
});
