import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openAiChat, startFakeOpenAi } from '../fakes/openai-upstream.ts';
import type { FakeServer } from '../fakes/fake-server.ts';
import { startGateway, type TestGateway } from '../support/gateway.ts';

let fake: FakeServer;
let gateway: TestGateway;
let client: OpenAI;

const MAX_BODY = 100_000;

beforeAll(async () => {
  fake = await startFakeOpenAi();
  gateway = await startGateway({
    SLUICE_OPENAI_BASE_URL: `${fake.url}/v1`,
    SLUICE_OPENAI_API_KEY: undefined,
    SLUICE_MAX_BODY_BYTES: String(MAX_BODY),
    SLUICE_UPSTREAM_FIRST_BYTE_TIMEOUT_MS: '400',
    SLUICE_UPSTREAM_IDLE_TIMEOUT_MS: '400',
  });
  client = new OpenAI({ apiKey: 'sk-client-key', baseURL: `${gateway.url}/v1/openai`, maxRetries: 0 });
});

afterAll(async () => {
  await gateway?.close();
  await fake?.close();
});

let recordsBefore = 0;
beforeEach(async () => {
  fake.use(openAiChat());
  recordsBefore = (await gateway.records()).length;
});

const chat = { model: 'gpt-4o-mini', messages: [{ role: 'user' as const, content: 'Hi' }] };

async function post(body: string, headers: Record<string, string> = { authorization: 'Bearer sk-client-key' }) {
  const response = await fetch(`${gateway.url}/v1/openai/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  return { status: response.status, json: (await response.json()) as { error: { message: string; type: string; code: string; param: string | null } } };
}

/** The record of the test's latest request (records land just after the response ends). */
async function lastRecord(): Promise<Record<string, unknown>> {
  const records = await gateway.waitForRecords(recordsBefore + 1);
  recordsBefore = records.length;
  return records.at(-1) as unknown as Record<string, unknown>;
}

describe('bad input on the OpenAI route', () => {
  it('answers malformed JSON with a 400 OpenAI error, and never calls upstream', async () => {
    const calls = fake.received.length;
    const { status, json } = await post('{"model": "gpt-4o-mini", "messages": [');
    expect(status).toBe(400);
    expect(json.error.type).toBe('invalid_request_error');
    expect(json.error.code).toBe('invalid_json');
    expect(json.error.message).toMatch(/could not parse the JSON body/);
    expect(fake.received.length).toBe(calls);
  });

  it.each([
    ['an array', '[1,2]', /not an array/],
    ['a string', '"hello"', /not a string/],
    ['null', 'null', /not null/],
    ['empty', '', /empty/],
  ])('answers a body that is %s with a 400', async (_label, body, message) => {
    const { status, json } = await post(body);
    expect(status).toBe(400);
    expect(json.error.message).toMatch(message);
  });

  it('raises the SDK BadRequestError naming the field for wrong types', async () => {
    const error = await client.chat.completions
      .create({ model: 42 as unknown as string, messages: [] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as InstanceType<typeof OpenAI.BadRequestError>).param).toBe('model');

    const messages = await post(JSON.stringify({ model: 'm', messages: 'hi' }));
    expect(messages.status).toBe(400);
    expect(messages.json.error.param).toBe('messages');

    const stream = await post(JSON.stringify({ model: 'm', messages: [], stream: 'yes' }));
    expect(stream.json.error.param).toBe('stream');
  });

  it('raises NotFoundError for an unknown profile', async () => {
    const other = new OpenAI({ apiKey: 'sk-client-key', baseURL: `${gateway.url}/v1/openai/no-such-profile`, maxRetries: 0 });
    const error = await other.chat.completions.create(chat).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
    expect((error as Error).message).toMatch(/Profile 'no-such-profile' does not exist/);
  });

  it('answers an unknown path under the provider with a 404', async () => {
    const response = await fetch(`${gateway.url}/v1/openai/default/nothing/here`, { method: 'POST', body: '{}' });
    expect(response.status).toBe(404);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('unknown_route');
  });

  it('answers the wrong method with a 405', async () => {
    const response = await fetch(`${gateway.url}/v1/openai/chat/completions`, {
      headers: { authorization: 'Bearer sk-client-key' },
    });
    expect(response.status).toBe(405);
  });

  it('answers a missing key with a 401 (AuthenticationError) and records it', async () => {
    const { status, json } = await post(JSON.stringify(chat), {});
    expect(status).toBe(401);
    expect(json.error.type).toBe('authentication_error');
    const record = await lastRecord();
    expect(record).toMatchObject({ status: 401, outcome: 'error', error: { kind: 'unauthorized' } });
  });

  it('answers a body over the limit with a 413', async () => {
    const big = JSON.stringify({ ...chat, messages: [{ role: 'user', content: 'x'.repeat(MAX_BODY) }] });
    const error = await client.chat.completions
      .create(JSON.parse(big) as typeof chat)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(413);
    expect((error as Error).message).toMatch(/SLUICE_MAX_BODY_BYTES/);
  });

  it('answers a body over Lambda\'s 6 MB invoke payload as Lambda does, before any handler runs', async () => {
    const unsized = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < 7; i++) controller.enqueue(new Uint8Array(1024 * 1024).fill(0x78));
        controller.close();
      },
    });
    for (const body of [Buffer.alloc(7 * 1024 * 1024, 0x78), unsized]) {
      const response = await fetch(`${gateway.url}/v1/openai/chat/completions`, {
        method: 'POST',
        headers: { authorization: 'Bearer sk-client-key', 'content-type': 'application/json' },
        body,
        duplex: 'half',
      } as RequestInit);
      expect(response.status).toBe(413);
      expect(await response.json()).toMatchObject({ message: expect.stringContaining('InvokeFunction') });
    }
    expect(await gateway.records()).toHaveLength(recordsBefore);
  });
});

describe('upstream failures on the OpenAI route', () => {
  it('relays an upstream 4xx with its status and body (RateLimitError)', async () => {
    fake.use(openAiChat({ failWith: { status: 429, message: 'Rate limit reached for gpt-4o-mini', type: 'requests', code: 'rate_limit_exceeded' } }));
    const error = await client.chat.completions.create(chat).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    expect((error as Error).message).toMatch(/Rate limit reached/);
    expect((error as InstanceType<typeof OpenAI.RateLimitError>).headers?.get('x-request-id')).toBe('req_fake_error');
    const record = await lastRecord();
    expect(record).toMatchObject({ status: 429, outcome: 'upstream_error' });
    expect(String((record.error as { message: string }).message)).toMatch(/Rate limit reached/);
  });

  it('relays an upstream 500 (InternalServerError)', async () => {
    fake.use(openAiChat({ failWith: { status: 500, message: 'The server had an error', type: 'server_error' } }));
    const error = await client.chat.completions.create(chat).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.InternalServerError);
    expect((error as InstanceType<typeof OpenAI.InternalServerError>).status).toBe(500);
  });

  it('answers 504 when the upstream does not answer in time', async () => {
    fake.use(openAiChat({ delayMs: 1500 }));
    const error = await client.chat.completions.create(chat).catch((e: unknown) => e);
    expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(504);
    expect((error as Error).message).toMatch(/did not answer within 400 ms/);
    const record = await lastRecord();
    expect(record).toMatchObject({ status: 504, outcome: 'error', error: { kind: 'timeout' } });
  });

  it('ends a stream that breaks mid-way with an error the SDK raises, and records it', async () => {
    fake.use(openAiChat({ content: 'abcdefghij', chunks: 10, cutAfterChunks: 4 }));
    const stream = await client.chat.completions.create({ ...chat, stream: true });
    let text = '';
    const error = await (async () => {
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    })().catch((e: unknown) => e);
    expect(text).toBe('abcd');
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect((error as Error).message).toMatch(/upstream connection broke/);
    const record = await lastRecord();
    expect(record).toMatchObject({ stream: true, status: 200, outcome: 'error', error: { kind: 'upstream_error' } });
  });

  it('ends a stream that stalls past the idle timeout with an error', async () => {
    fake.use(openAiChat({ content: 'abc', chunks: 3, chunkIntervalMs: 1200 }));
    const stream = await client.chat.completions.create({ ...chat, stream: true });
    const error = await (async () => {
      for await (const _ of stream) void _;
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect((error as Error).message).toMatch(/sent nothing for 400 ms/);
    const record = await lastRecord();
    expect(record).toMatchObject({ outcome: 'error', error: { kind: 'timeout' } });
  });
});
