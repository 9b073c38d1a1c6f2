import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { Cohere, CohereClient, CohereClientV2 } from 'cohere-ai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { getRuntime } from '../../lib/runtime.ts';
import { cohereChat, startFakeCohere } from '../fakes/cohere-upstream.ts';
import type { FakeServer } from '../fakes/fake-server.ts';
import { startGateway, type TestGateway } from '../support/gateway.ts';

let fake: FakeServer;
let gateway: TestGateway;
let client: CohereClientV2;

beforeAll(async () => {
  fake = await startFakeCohere();
  gateway = await startGateway({ SLUICE_COHERE_BASE_URL: fake.url, SLUICE_COHERE_API_KEY: undefined });
  client = new CohereClientV2({ token: 'co-client-key-123', baseUrl: `${gateway.url}/v1/cohere`, maxRetries: 0 });
});

afterAll(async () => {
  await gateway?.close();
  await fake?.close();
});

beforeEach(() => fake.use(cohereChat()));

async function recordsAfter(before: number, profileId = 'default') {
  const records = await gateway.waitForRecords(before + 1, profileId);
  return records.slice(before);
}

const weatherTool: Cohere.ToolV2 = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'The weather in a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
};

describe('Cohere v2 chat through Sluice (CohereClientV2)', () => {
  it('answers a plain chat, forwards the key as a bearer token and records the billed tokens', async () => {
    const before = (await gateway.records()).length;
    const response = await client.chat({ model: 'command-a-03-2025', messages: [{ role: 'user', content: 'Hi' }] });
    expect(response.message.content?.[0]).toMatchObject({ type: 'text', text: 'Hello from the fake Command.' });
    expect(response.finishReason).toBe('COMPLETE');
    expect(response.usage?.billedUnits?.inputTokens).toBe(8);

    const received = fake.last!;
    expect(received.path).toBe('/v2/chat');
    expect(received.headers.authorization).toBe('Bearer co-client-key-123');
    expect(received.json).toMatchObject({ model: 'command-a-03-2025', messages: [{ role: 'user', content: 'Hi' }] });

    const [record] = await recordsAfter(before);
    expect(record).toMatchObject({
      provider: 'cohere',
      operation: 'chat',
      model: 'command-a-03-2025',
      stream: false,
      status: 200,
      outcome: 'success',
      inputTokens: 8,
      outputTokens: 6,
    });
    expect(JSON.stringify(record)).not.toContain('co-client-key-123');
  });

  it('forwards the body byte for byte and relays the answer unchanged', async () => {
    const raw = '{"model":"command-r", "messages":[{"role":"user","content":"caf\\u00e9"}],\n"x_unknown":[1,2.50]}';
    const proxied = await fetch(`${gateway.url}/v1/cohere/v2/chat`, {
      method: 'POST',
      headers: { authorization: 'Bearer co-key-abcdef', 'content-type': 'application/json', 'x-client-name': 'my-app' },
      body: raw,
    });
    expect(proxied.status).toBe(200);
    expect(proxied.headers.get('x-trial-endpoint-call-remaining')).toBe('999');
    expect(fake.last!.body.toString('utf8')).toBe(raw);
    expect(fake.last!.headers['x-client-name']).toBe('my-app');
    const direct = await fetch(`${fake.url}/v2/chat`, {
      method: 'POST',
      headers: { authorization: 'Bearer k', 'content-type': 'application/json' },
      body: raw,
    });
    const normalize = (text: string) => text.replace(/"id":"[0-9a-f-]+"/, '"id":"ID"');
    expect(normalize(await proxied.text())).toBe(normalize(await direct.text()));
  });

  it('streams events as they come and records the usage of message-end', async () => {
    fake.use(cohereChat({ content: 'one two three four five', chunks: 5 }));
    const before = (await gateway.records()).length;
    const stream = await client.chatStream({ model: 'command-a-03-2025', messages: [{ role: 'user', content: 'count' }] });
    const types: string[] = [];
    let text = '';
    let usage: Cohere.Usage | undefined;
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === 'content-delta') text += event.delta?.message?.content?.text ?? '';
      if (event.type === 'message-end') usage = event.delta?.usage;
    }
    expect(text).toBe('one two three four five');
    expect(types[0]).toBe('message-start');
    expect(types.at(-1)).toBe('message-end');
    expect(usage?.billedUnits?.outputTokens).toBe(6);
    expect(fake.last!.json).toMatchObject({ stream: true });

    const [record] = await recordsAfter(before);
    expect(record).toMatchObject({ stream: true, status: 200, outcome: 'success', inputTokens: 8, outputTokens: 6 });
  });

  it('passes a tool call through, plain and streamed (tool-plan-delta, tool-call-start/delta/end)', async () => {
    fake.use(
      cohereChat({ toolPlan: 'I will look up the weather.', toolCalls: [{ id: 'get_weather_1', name: 'get_weather', arguments: '{"city":"Paris"}' }] }),
    );
    const plain = await client.chat({ model: 'command-a', messages: [{ role: 'user', content: 'weather?' }], tools: [weatherTool] });
    expect(plain.finishReason).toBe('TOOL_CALL');
    expect(plain.message.toolCalls?.[0]).toMatchObject({
      id: 'get_weather_1',
      function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
    });
    expect(fake.last!.json).toMatchObject({ tools: [{ type: 'function', function: { name: 'get_weather' } }] });

    const before = (await gateway.records()).length;
    const stream = await client.chatStream({ model: 'command-a', messages: [{ role: 'user', content: 'weather?' }], tools: [weatherTool] });
    let plan = '';
    let name: string | undefined;
    let args = '';
    const types: string[] = [];
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === 'tool-plan-delta') plan += event.delta?.message?.toolPlan ?? '';
      if (event.type === 'tool-call-start') name = event.delta?.message?.toolCalls?.function?.name;
      if (event.type === 'tool-call-delta') args += event.delta?.message?.toolCalls?.function?.arguments ?? '';
    }
    expect(plan).toBe('I will look up the weather.');
    expect(name).toBe('get_weather');
    expect(JSON.parse(args)).toEqual({ city: 'Paris' });
    expect(types).toContain('tool-call-end');
    const [record] = await recordsAfter(before);
    expect(record).toMatchObject({ stream: true, outcome: 'success', inputTokens: 8, outputTokens: 6 });
  });

  it('relays a provider error so the SDK raises its own typed error', async () => {
    fake.use(cohereChat({ failWith: { status: 429, message: 'You are using a Trial key, which is limited to 10 API calls / minute.' } }));
    const before = (await gateway.records()).length;
    const error = await client.chat({ model: 'command-a', messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Cohere.TooManyRequestsError);
    expect((error as Cohere.TooManyRequestsError).statusCode).toBe(429);
    expect((error as Cohere.TooManyRequestsError).body).toEqual({ message: 'You are using a Trial key, which is limited to 10 API calls / minute.' });

    fake.use(cohereChat({ failWith: { status: 401, message: 'invalid api token' } }));
    const streamError = await client.chatStream({ model: 'command-a', messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e);
    expect(streamError).toBeInstanceOf(Cohere.UnauthorizedError);

    const records = (await gateway.waitForRecords(before + 2)).slice(before);
    expect(records.map((r) => [r.status, r.outcome])).toEqual([
      [429, 'upstream_error'],
      [401, 'upstream_error'],
    ]);
    expect(records[0]!.error?.message).toContain('Trial key');
  });

  it('records a generation that the upstream ends with finish reason ERROR', async () => {
    fake.use(cohereChat({ content: 'abcdef', chunks: 3, failAfterChunks: { chunks: 1, message: 'internal generation failure' } }));
    const before = (await gateway.records()).length;
    const stream = await client.chatStream({ model: 'command-a', messages: [{ role: 'user', content: 'x' }] });
    let end: Cohere.ChatMessageEndEventDelta | undefined;
    for await (const event of stream) if (event.type === 'message-end') end = event.delta;
    expect(end).toMatchObject({ finishReason: 'ERROR', error: 'internal generation failure' });
    const [record] = await recordsAfter(before);
    expect(record).toMatchObject({ status: 200, outcome: 'upstream_error', error: { message: 'internal generation failure' } });
  });

  it('serves a named profile', async () => {
    await getRuntime().db.send(
      new PutCommand({
        TableName: getRuntime().config.storage.tables.profiles,
        Item: { id: 'cohere-team', name: 'Cohere team', createdAt: 'now', updatedAt: 'now' },
      }),
    );
    const team = new CohereClientV2({ token: 'co-client-key-123', baseUrl: `${gateway.url}/v1/cohere/cohere-team`, maxRetries: 0 });
    await team.chat({ model: 'command-a', messages: [{ role: 'user', content: 'x' }] });
    const [record] = await gateway.waitForRecords(1, 'cohere-team');
    expect(record).toMatchObject({ profileId: 'cohere-team', provider: 'cohere', inputTokens: 8 });
  });
});

describe('Cohere v1 chat through Sluice (CohereClient)', () => {
  let v1: CohereClient;
  beforeAll(() => {
    v1 = new CohereClient({ token: 'co-client-key-123', baseUrl: `${gateway.url}/v1/cohere`, maxRetries: 0 });
  });

  it('answers a plain v1 chat and records the tokens from meta', async () => {
    const before = (await gateway.records()).length;
    const response = await v1.chat({ message: 'Hi', model: 'command-r' });
    expect(response.text).toBe('Hello from the fake Command.');
    expect(fake.last!.path).toBe('/v1/chat');
    const [record] = await recordsAfter(before);
    expect(record).toMatchObject({ operation: 'chat', model: 'command-r', stream: false, outcome: 'success', inputTokens: 8, outputTokens: 6 });
  });

  it('streams newline-delimited JSON events and records the tokens of stream-end', async () => {
    fake.use(cohereChat({ content: 'alpha beta gamma', chunks: 3 }));
    const before = (await gateway.records()).length;
    const stream = await v1.chatStream({ message: 'Hi' });
    let text = '';
    const types: string[] = [];
    for await (const event of stream) {
      types.push(event.eventType);
      if (event.eventType === 'text-generation') text += event.text;
    }
    expect(text).toBe('alpha beta gamma');
    expect(types[0]).toBe('stream-start');
    expect(types.at(-1)).toBe('stream-end');
    const [record] = await recordsAfter(before);
    expect(record).toMatchObject({ stream: true, outcome: 'success', inputTokens: 8, outputTokens: 6 });
  });

  it('serves /chat as the v1 API', async () => {
    const response = await fetch(`${gateway.url}/v1/cohere/chat`, {
      method: 'POST',
      headers: { authorization: 'Bearer co-key-abcdef', 'content-type': 'application/json' },
      body: JSON.stringify({ message: 'Hi' }),
    });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { text: string }).text).toBe('Hello from the fake Command.');
    expect(fake.last!.path).toBe('/v1/chat');
  });
});
