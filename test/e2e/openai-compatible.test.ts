import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openAiCompatibleTable, type OpenAiCompatibleEntry } from '../../lib/providers/openai-compatible/table.ts';
import { expectingRequest } from '../fakes/expect-request.ts';
import { FakeServer } from '../fakes/fake-server.ts';
import { openAiApi } from '../fakes/openai-api.ts';
import { openAiChat, type ChatBehaviour } from '../fakes/openai-upstream.ts';
import { startGateway, type TestGateway } from '../support/gateway.ts';

let fake: FakeServer;
let gateway: TestGateway;

const REFERER = 'https://app.example.com';
const TITLE = 'Sluice e2e';

/** Each provider's fake lives under the path of its real base URL (vLLM: /v1). */
function basePath(entry: OpenAiCompatibleEntry): string {
  return entry.defaultBaseUrl ? new URL(entry.defaultBaseUrl).pathname.replace(/\/+$/, '') : '/v1';
}

const envName = (id: string) => `SLUICE_${id.toUpperCase()}`;
const clientKey = (id: string) => `sk-${id}-client-key`;

function expectedExtraHeaders(entry: OpenAiCompatibleEntry): Record<string, string> {
  return entry.id === 'openrouter' ? { 'http-referer': REFERER, 'x-title': TITLE } : {};
}

function clientFor(entry: OpenAiCompatibleEntry, options: { profile?: string; headers?: Record<string, string> } = {}) {
  return new OpenAI({
    apiKey: clientKey(entry.id),
    baseURL: `${gateway.url}/v1/${entry.id}${options.profile ? `/${options.profile}` : ''}`,
    maxRetries: 0,
    defaultHeaders: options.headers,
  });
}

/** The fake for one provider: checks path, key and extra headers, then answers like the provider. */
function useProvider(entry: OpenAiCompatibleEntry, behaviour: ChatBehaviour = {}) {
  fake.use(
    expectingRequest(
      {
        method: 'POST',
        path: `${basePath(entry)}/chat/completions`,
        headers: { authorization: `Bearer ${clientKey(entry.id)}`, ...expectedExtraHeaders(entry) },
        refusedBodyFields: entry.streamUsageSentUnasked ? ['stream_options'] : [],
      },
      openAiChat({ model: `${entry.id}-model-v1`, usageInFinalChunk: entry.streamUsageSentUnasked, ...behaviour }),
    ),
  );
}

async function recordsAfter(before: number, count = 1) {
  return (await gateway.waitForRecords(before + count)).slice(before);
}

beforeAll(async () => {
  fake = await new FakeServer(openAiApi()).start();
  const env: Record<string, string | undefined> = {
    SLUICE_OPENROUTER_REFERER: REFERER,
    SLUICE_OPENROUTER_TITLE: TITLE,
    SLUICE_XAI_API_KEY: 'xai-server-default-key',
  };
  for (const entry of openAiCompatibleTable) env[`${envName(entry.id)}_BASE_URL`] = `${fake.url}${basePath(entry)}`;
  gateway = await startGateway(env);
});

afterAll(async () => {
  await gateway?.close();
  await fake?.close();
});

describe.each(openAiCompatibleTable.map((entry) => [entry.id, entry] as const))('%s through Sluice', (id, entry) => {
  it('answers a plain chat completion with the openai SDK and records its tokens', async () => {
    useProvider(entry);
    const before = (await gateway.records()).length;
    const completion = await clientFor(entry).chat.completions.create({
      model: `${id}-model`,
      messages: [{ role: 'user', content: 'Hi' }],
    });
    expect(completion.choices[0]?.message.content).toBe('Hello from the fake upstream.');
    expect(fake.last!.path).toBe(`${basePath(entry)}/chat/completions`);
    expect(fake.last!.json).toEqual({ model: `${id}-model`, messages: [{ role: 'user', content: 'Hi' }] });

    const [record] = await recordsAfter(before);
    expect(record).toMatchObject({
      provider: id,
      operation: 'chat',
      model: `${id}-model`,
      responseModel: `${id}-model-v1`,
      stream: false,
      status: 200,
      outcome: 'success',
      inputTokens: 12,
      outputTokens: 7,
    });
  });

  it('streams a chat completion with the openai SDK and records its tokens', async () => {
    useProvider(entry, { content: 'alpha beta gamma', chunks: 3 });
    const before = (await gateway.records()).length;
    const stream = await clientFor(entry).chat.completions.create({
      model: `${id}-model`,
      messages: [{ role: 'user', content: 'count' }],
      stream: true,
    });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe('alpha beta gamma');
    if (entry.streamUsageSentUnasked) expect(fake.last!.json).not.toHaveProperty('stream_options');
    else expect(fake.last!.json).toMatchObject({ stream_options: { include_usage: true } });

    const [record] = await recordsAfter(before);
    expect(record).toMatchObject({ provider: id, stream: true, status: 200, outcome: 'success', inputTokens: 12, outputTokens: 7 });
  });
});

const entryOf = (id: string) => openAiCompatibleTable.find((entry) => entry.id === id)!;

describe('provider quirks', () => {
  it("passes Perplexity's search_results and citations through, plain and streamed", async () => {
    const extra = {
      citations: ['https://example.org/a'],
      search_results: [{ title: 'A', url: 'https://example.org/a', date: '2025-01-01' }],
    };
    const perplexity = entryOf('perplexity');
    useProvider(perplexity, { extra });
    const client = clientFor(perplexity);
    const completion = await client.chat.completions.create({ model: 'sonar', messages: [{ role: 'user', content: 'q' }] });
    expect(completion).toMatchObject(extra);

    const stream = await client.chat.completions.create({ model: 'sonar', messages: [{ role: 'user', content: 'q' }], stream: true });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.length).toBeGreaterThan(1);
    for (const chunk of chunks) expect(chunk).toMatchObject(extra);
  });

  it("passes MiniMax's reasoning_details through, plain and streamed", async () => {
    const reasoning_details = [{ type: 'reasoning.text', id: 'reasoning-text-1', format: 'MiniMax-response-v1', index: 0, text: 'Think first.' }];
    const minimax = entryOf('minimax');
    useProvider(minimax, { messageExtra: { reasoning_details } });
    const client = clientFor(minimax);
    const completion = await client.chat.completions.create({ model: 'MiniMax-M2', messages: [{ role: 'user', content: 'q' }] });
    expect(completion.choices[0]?.message).toMatchObject({ reasoning_details });

    const stream = await client.chat.completions.create({ model: 'MiniMax-M2', messages: [{ role: 'user', content: 'q' }], stream: true });
    const deltas = [];
    for await (const chunk of stream) deltas.push(chunk.choices[0]?.delta);
    expect(deltas[0]).toMatchObject({ reasoning_details });
  });

  it('keeps the OpenRouter attribution headers the client sent itself', async () => {
    const openrouter = entryOf('openrouter');
    fake.use(openAiChat());
    await clientFor(openrouter, { headers: { 'X-Title': 'My App' } }).chat.completions.create({
      model: 'openrouter/auto',
      messages: [{ role: 'user', content: 'q' }],
    });
    expect(fake.last!.headers['x-title']).toBe('My App');
    expect(fake.last!.headers['http-referer']).toBe(REFERER);
  });

  it('serves OpenRouter embeddings with the attribution headers and records their usage', async () => {
    const openrouter = entryOf('openrouter');
    fake.use(openAiApi());
    const before = (await gateway.records()).length;
    const result = await clientFor(openrouter).embeddings.create({ model: 'openai/text-embedding-3-small', input: 'hello' });
    expect(result.data[0]!.embedding).toHaveLength(4);
    const received = fake.last!;
    expect(received.path).toBe('/api/v1/embeddings');
    expect(received.headers).toMatchObject({ authorization: `Bearer ${clientKey('openrouter')}`, 'http-referer': REFERER, 'x-title': TITLE });
    const [record] = await recordsAfter(before);
    expect(record).toMatchObject({ provider: 'openrouter', operation: 'embeddings', inputTokens: 8, outcome: 'success' });
  });

  it('answers /embeddings on a provider without it with a 404 in the OpenAI dialect', async () => {
    const error = await clientFor(entryOf('groq'))
      .embeddings.create({ model: 'm', input: 'x' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
    expect((error as InstanceType<typeof OpenAI.NotFoundError>).message).toMatch(/No Groq route/);
  });

  it.each(['vllm', 'ollama'])('calls %s without any key when the client sends none', async (id) => {
    fake.use(openAiChat());
    const response = await fetch(`${gateway.url}/v1/${id}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'llama3.2', messages: [{ role: 'user', content: 'q' }] }),
    });
    expect(response.status).toBe(200);
    expect(fake.last!.path).toBe(`${basePath(entryOf(id))}/chat/completions`);
    expect(fake.last!.headers.authorization).toBeUndefined();
  });

  it('refuses a keyed provider without any key, with a 401 in the OpenAI dialect', async () => {
    const calls = fake.received.length;
    const response = await fetch(`${gateway.url}/v1/groq/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'llama-3.3-70b-versatile', messages: [] }),
    });
    expect(response.status).toBe(401);
    const body = (await response.json()) as { error: { type: string; code: string; message: string } };
    expect(body.error).toMatchObject({ type: 'authentication_error', code: 'missing_api_key' });
    expect(body.error.message).toContain('Groq');
    expect(fake.received.length).toBe(calls);
  });

  it('uses the server default key when the client sends none, and the client key when it does', async () => {
    fake.use(openAiChat());
    await fetch(`${gateway.url}/v1/xai/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'grok-4', messages: [] }),
    });
    expect(fake.last!.headers.authorization).toBe('Bearer xai-server-default-key');
    await clientFor(entryOf('xai')).chat.completions.create({ model: 'grok-4', messages: [] });
    expect(fake.last!.headers.authorization).toBe(`Bearer ${clientKey('xai')}`);
  });

  it('answers malformed JSON on a compatible route with a 400 in the OpenAI dialect', async () => {
    const response = await fetch(`${gateway.url}/v1/deepseek/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer k' },
      body: '{"model": ',
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('invalid_json');
  });

  it("relays a provider's own error status and body unchanged", async () => {
    const mistral = entryOf('mistral');
    fake.use(expectingRequest({ refusedBodyFields: ['stream_options'] }, openAiChat()));
    const response = await fetch(`${gateway.url}/v1/mistral/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${clientKey(mistral.id)}` },
      body: JSON.stringify({ model: 'mistral-small', messages: [], stream: true, stream_options: { include_usage: true } }),
    });
    expect(response.status).toBe(422);
    expect(await response.json()).toMatchObject({ message: { detail: [{ type: 'extra_forbidden', loc: ['body', 'stream_options'] }] } });
  });
});
