import Anthropic, { APIError, OverloadedError, RateLimitError } from '@anthropic-ai/sdk';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { getRuntime } from '../../lib/runtime.ts';
import { anthropicMessages, startFakeAnthropic } from '../fakes/anthropic-upstream.ts';
import type { FakeServer } from '../fakes/fake-server.ts';
import { startGateway, type TestGateway } from '../support/gateway.ts';

let fake: FakeServer;
let gateway: TestGateway;
let client: Anthropic;

beforeAll(async () => {
  fake = await startFakeAnthropic();
  gateway = await startGateway({ SLUICE_ANTHROPIC_BASE_URL: fake.url, SLUICE_ANTHROPIC_API_KEY: undefined });
  client = new Anthropic({ apiKey: 'sk-ant-api03-client-key', baseURL: `${gateway.url}/v1/anthropic`, maxRetries: 0 });
});

afterAll(async () => {
  await gateway?.close();
  await fake?.close();
});

beforeEach(() => fake.use(anthropicMessages()));

async function recordsAfter(before: number, profileId = 'default') {
  const records = await gateway.waitForRecords(before + 1, profileId);
  return records.slice(before);
}

const weatherTool = {
  name: 'get_weather',
  description: 'The weather in a city',
  input_schema: { type: 'object' as const, properties: { city: { type: 'string' } }, required: ['city'] },
};

describe('Anthropic Messages through Sluice', () => {
  it('answers a plain message, sends the key as x-api-key and records the tokens', async () => {
    const before = (await gateway.records()).length;
    fake.use(
      anthropicMessages({
        usage: { input_tokens: 30, output_tokens: 11, cache_read_input_tokens: 100, cache_creation_input_tokens: 20 },
      }),
    );
    const message = await client.messages.create({
      model: 'claude-fake-5',
      max_tokens: 256,
      messages: [{ role: 'user', content: 'Hi' }],
    });
    expect(message.content[0]).toMatchObject({ type: 'text', text: 'Hello from the fake Claude.' });
    expect(message.usage.input_tokens).toBe(30);

    const received = fake.last!;
    expect(received.path).toBe('/v1/messages');
    expect(received.headers['x-api-key']).toBe('sk-ant-api03-client-key');
    expect(received.headers.authorization).toBeUndefined();
    expect(received.headers['anthropic-version']).toBeTruthy();
    expect(received.json).toMatchObject({ model: 'claude-fake-5', max_tokens: 256 });

    const [record] = await recordsAfter(before);
    expect(record).toMatchObject({
      provider: 'anthropic',
      operation: 'messages',
      model: 'claude-fake-5',
      responseModel: 'claude-fake-5-20250514',
      stream: false,
      status: 200,
      outcome: 'success',
      inputTokens: 150,
      outputTokens: 11,
      cacheReadTokens: 100,
      cacheWriteTokens: 20,
    });
    expect(JSON.stringify(record)).not.toContain('client-key');
  });

  it('takes the key from x-api-key and forwards anthropic-version, anthropic-beta, the body and the query as sent', async () => {
    const raw = '{"model":"claude-haiku","max_tokens":5,\n "messages":[{"role":"user","content":"caf\\u00e9"}],"x_extra":{"a":[1,2.50]}}';
    const response = await fetch(`${gateway.url}/v1/anthropic/v1/messages?beta=true`, {
      method: 'POST',
      headers: {
        'x-api-key': 'sk-ant-api03-header-key',
        'anthropic-version': '2023-06-01',
        'anthropic-beta': 'prompt-caching-2024-07-31,tools-2024-05-16',
        'content-type': 'application/json',
      },
      body: raw,
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('request-id')).toBe('req_fake');
    expect(response.headers.get('x-sluice-interaction-id')).toMatch(/^[0-9a-f-]{36}$/);
    const received = fake.last!;
    expect(received.body.toString('utf8')).toBe(raw);
    expect(received.query.get('beta')).toBe('true');
    expect(received.headers['x-api-key']).toBe('sk-ant-api03-header-key');
    expect(received.headers['anthropic-version']).toBe('2023-06-01');
    expect(received.headers['anthropic-beta']).toBe('prompt-caching-2024-07-31,tools-2024-05-16');
  });

  it('relays the upstream body byte for byte', async () => {
    const request = { model: 'm', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] };
    const direct = await fetch(`${fake.url}/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': 'k', 'content-type': 'application/json' },
      body: JSON.stringify(request),
    });
    const proxied = await fetch(`${gateway.url}/v1/anthropic/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': 'k', 'content-type': 'application/json' },
      body: JSON.stringify(request),
    });
    const normalize = (text: string) => text.replace(/msg_[a-z0-9]+/g, 'ID');
    expect(normalize(await proxied.text())).toBe(normalize(await direct.text()));
  });

  it('sends a Claude OAuth access token upstream as a bearer token', async () => {
    const oauthClient = new Anthropic({ authToken: 'sk-ant-oat01-token', baseURL: `${gateway.url}/v1/anthropic`, maxRetries: 0 });
    await oauthClient.messages.create({ model: 'claude', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] });
    expect(fake.last!.headers.authorization).toBe('Bearer sk-ant-oat01-token');
    expect(fake.last!.headers['x-api-key']).toBeUndefined();
  });

  it('streams events as they come and records the usage of message_start and message_delta', async () => {
    fake.use(anthropicMessages({ content: 'one two three four five', chunks: 5 }));
    const before = (await gateway.records()).length;
    const stream = await client.messages.create({
      model: 'claude-fake-5',
      max_tokens: 256,
      messages: [{ role: 'user', content: 'count' }],
      stream: true,
    });
    const types: string[] = [];
    let text = '';
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') text += event.delta.text;
    }
    expect(text).toBe('one two three four five');
    expect(types[0]).toBe('message_start');
    expect(types.at(-2)).toBe('message_delta');
    expect(types.at(-1)).toBe('message_stop');

    const [record] = await recordsAfter(before);
    expect(record).toMatchObject({
      stream: true,
      status: 200,
      outcome: 'success',
      responseModel: 'claude-fake-5-20250514',
      inputTokens: 21,
      outputTokens: 9,
    });
  });

  it('passes a tool call through, plain and streamed', async () => {
    fake.use(anthropicMessages({ toolUse: { id: 'toolu_01', name: 'get_weather', input: { city: 'Paris' } } }));
    const plain = await client.messages.create({
      model: 'claude-fake-5',
      max_tokens: 256,
      tools: [weatherTool],
      messages: [{ role: 'user', content: 'weather?' }],
    });
    expect(plain.stop_reason).toBe('tool_use');
    expect(plain.content[0]).toMatchObject({ type: 'tool_use', id: 'toolu_01', name: 'get_weather', input: { city: 'Paris' } });

    const before = (await gateway.records()).length;
    const final = await client.messages
      .stream({ model: 'claude-fake-5', max_tokens: 256, tools: [weatherTool], messages: [{ role: 'user', content: 'weather?' }] })
      .finalMessage();
    expect(final.stop_reason).toBe('tool_use');
    expect(final.content[0]).toMatchObject({ type: 'tool_use', id: 'toolu_01', name: 'get_weather', input: { city: 'Paris' } });
    expect(fake.last!.json).toMatchObject({ tools: [{ name: 'get_weather' }] });
    const [record] = await recordsAfter(before);
    expect(record).toMatchObject({ stream: true, outcome: 'success', inputTokens: 21, outputTokens: 9 });
  });

  it('relays a provider error so the SDK raises its own typed error', async () => {
    fake.use(anthropicMessages({ failWith: { status: 429, type: 'rate_limit_error', message: 'Number of requests has exceeded your rate limit' } }));
    const before = (await gateway.records()).length;
    const error = await client.messages
      .create({ model: 'claude', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitError);
    expect((error as RateLimitError).status).toBe(429);
    expect((error as RateLimitError).type).toBe('rate_limit_error');
    expect((error as RateLimitError).requestID).toBe('req_fake_error');

    fake.use(anthropicMessages({ failWith: { status: 529, type: 'overloaded_error', message: 'Overloaded' } }));
    const overloaded = await client.messages
      .create({ model: 'claude', max_tokens: 5, messages: [{ role: 'user', content: 'x' }], stream: true })
      .catch((e: unknown) => e);
    expect(overloaded).toBeInstanceOf(OverloadedError);

    const records = await gateway.waitForRecords(before + 2);
    expect(records.slice(before).map((r) => [r.status, r.outcome])).toEqual([
      [429, 'upstream_error'],
      [529, 'upstream_error'],
    ]);
    expect(records.at(-2)!.error?.message).toContain('rate limit');
  });

  it('relays an error event inside the stream as an SDK APIError and records it', async () => {
    fake.use(anthropicMessages({ errorAfterChunks: { chunks: 1, type: 'overloaded_error', message: 'Overloaded' } }));
    const before = (await gateway.records()).length;
    const stream = await client.messages.create({
      model: 'claude',
      max_tokens: 5,
      messages: [{ role: 'user', content: 'x' }],
      stream: true,
    });
    const error = await (async () => {
      for await (const _event of stream) {
        // read until the error
      }
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APIError);
    expect((error as APIError).type).toBe('overloaded_error');
    const [record] = await recordsAfter(before);
    expect(record).toMatchObject({ status: 200, outcome: 'upstream_error', inputTokens: 21 });
    expect(record!.error?.message).toContain('overloaded_error');
  });

  it('serves a named profile', async () => {
    await getRuntime().db.send(
      new PutCommand({
        TableName: getRuntime().config.storage.tables.profiles,
        Item: { id: 'claude-team', name: 'Claude team', createdAt: 'now', updatedAt: 'now' },
      }),
    );
    const teamClient = new Anthropic({
      apiKey: 'sk-ant-api03-client-key',
      baseURL: `${gateway.url}/v1/anthropic/claude-team`,
      maxRetries: 0,
    });
    await teamClient.messages.create({ model: 'claude', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] });
    const [record] = await gateway.waitForRecords(1, 'claude-team');
    expect(record).toMatchObject({ profileId: 'claude-team', provider: 'anthropic', outputTokens: 9 });
  });
});
