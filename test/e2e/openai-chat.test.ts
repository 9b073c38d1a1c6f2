import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openAiChat, startFakeOpenAi } from '../fakes/openai-upstream.ts';
import type { FakeServer } from '../fakes/fake-server.ts';
import { startGateway, type TestGateway } from '../support/gateway.ts';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { getRuntime } from '../../lib/runtime.ts';

let fake: FakeServer;
let gateway: TestGateway;
let client: OpenAI;

beforeAll(async () => {
  fake = await startFakeOpenAi();
  gateway = await startGateway({ SLUICE_OPENAI_BASE_URL: `${fake.url}/v1`, SLUICE_OPENAI_API_KEY: undefined });
  client = new OpenAI({ apiKey: 'sk-client-key', baseURL: `${gateway.url}/v1/openai`, maxRetries: 0 });
});

afterAll(async () => {
  await gateway?.close();
  await fake?.close();
});

beforeEach(() => fake.use(openAiChat()));

async function recordsAfter(before: number) {
  const records = await gateway.waitForRecords(before + 1);
  return records.slice(before);
}

describe('OpenAI chat completions through Sluice', () => {
  it('answers a plain completion and forwards the client key and body', async () => {
    const before = (await gateway.records()).length;
    const completion = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Hi' }],
    });
    expect(completion.choices[0]?.message.content).toBe('Hello from the fake upstream.');
    expect(completion.usage?.prompt_tokens).toBe(12);
    const received = fake.last!;
    expect(received.path).toBe('/v1/chat/completions');
    expect(received.headers.authorization).toBe('Bearer sk-client-key');
    expect(received.json).toMatchObject({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] });
    expect(received.json).not.toHaveProperty('stream_options');

    const [record] = await recordsAfter(before);
    expect(record).toMatchObject({
      profileId: 'default',
      provider: 'openai',
      operation: 'chat',
      model: 'gpt-4o-mini',
      responseModel: 'gpt-4o-mini-2024-07-18',
      stream: false,
      status: 200,
      outcome: 'success',
      inputTokens: 12,
      outputTokens: 7,
    });
    expect(record!.latencyMs).toBeGreaterThan(0);
    expect(record!.timeToFirstByteMs).toBeGreaterThan(0);
    expect(JSON.stringify(record)).not.toContain('sk-client-key');
  });

  it('forwards the body byte for byte, unknown fields included', async () => {
    const raw = '{ "model" : "gpt-4o-mini",\n "messages":[{"role":"user","content":"caf\\u00e9"}], "x_custom": {"deep": [1, 2.50]} }';
    const response = await fetch(`${gateway.url}/v1/openai/chat/completions`, {
      method: 'POST',
      headers: { authorization: 'Bearer sk-client-key', 'content-type': 'application/json' },
      body: raw,
    });
    expect(response.status).toBe(200);
    expect(fake.last!.body.toString('utf8')).toBe(raw);
  });

  it('relays the upstream response body unchanged', async () => {
    const direct = await fetch(`${fake.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'm', messages: [] }),
    });
    const directText = await direct.text();
    const proxied = await fetch(`${gateway.url}/v1/openai/chat/completions`, {
      method: 'POST',
      headers: { authorization: 'Bearer sk-client-key', 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'm', messages: [] }),
    });
    const proxiedText = await proxied.text();
    // ids differ per response; everything else is the same bytes
    const normalize = (text: string) => text.replace(/chatcmpl-[a-z0-9]+/g, 'ID').replace(/"created":\d+/g, '"created":0');
    expect(normalize(proxiedText)).toBe(normalize(directText));
    expect(proxied.headers.get('x-request-id')).toBe('req_fake');
    expect(proxied.headers.get('x-sluice-interaction-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('streams chunk by chunk, asks upstream for usage and hides the extra usage chunk', async () => {
    fake.use(openAiChat({ content: 'one two three four five', chunks: 5 }));
    const before = (await gateway.records()).length;
    const stream = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'count' }],
      stream: true,
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe('one two three four five');
    expect(chunks.every((c) => c.choices.length > 0)).toBe(true);
    expect(chunks.some((c) => c.usage)).toBe(false);
    expect(fake.last!.json).toMatchObject({ stream: true, stream_options: { include_usage: true } });

    const [record] = await recordsAfter(before);
    expect(record).toMatchObject({ stream: true, status: 200, outcome: 'success', inputTokens: 12, outputTokens: 7 });
  });

  it('streams exactly what the upstream sends a client that did not ask for usage', async () => {
    const body = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }], stream: true });
    const headers = { authorization: 'Bearer sk-client-key', 'content-type': 'application/json' };
    const direct = await (await fetch(`${fake.url}/v1/chat/completions`, { method: 'POST', headers, body })).text();
    const proxied = await (await fetch(`${gateway.url}/v1/openai/chat/completions`, { method: 'POST', headers, body })).text();
    const normalize = (text: string) => text.replace(/chatcmpl-[a-z0-9]+/g, 'ID').replace(/"created":\d+/g, '"created":0');
    expect(proxied).not.toContain('"usage"');
    expect(normalize(proxied)).toBe(normalize(direct));
  });

  it('keeps the usage chunk when the client asked for it', async () => {
    const stream = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'count' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    const last = chunks.at(-1)!;
    expect(last.choices).toEqual([]);
    expect(last.usage).toMatchObject({ prompt_tokens: 12, completion_tokens: 7 });
  });

  it('rewrites stream_options when the client set include_usage to false', async () => {
    const stream = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'x' }],
      stream: true,
      stream_options: { include_usage: false },
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.some((c) => c.usage)).toBe(false);
    expect(fake.last!.json).toMatchObject({ stream_options: { include_usage: true } });
  });

  it('passes tool calls through, plain and streamed', async () => {
    const toolCalls = [{ id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' }];
    fake.use(openAiChat({ toolCalls }));
    const tools = [
      {
        type: 'function' as const,
        function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } },
      },
    ];
    const plain = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'weather?' }],
      tools,
    });
    expect(plain.choices[0]?.finish_reason).toBe('tool_calls');
    expect(plain.choices[0]?.message.tool_calls?.[0]).toMatchObject({
      id: 'call_1',
      function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
    });

    const runner = client.chat.completions.stream({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'weather?' }],
      tools,
    });
    const final = await runner.finalChatCompletion();
    expect(final.choices[0]?.message.tool_calls?.[0]).toMatchObject({
      id: 'call_1',
      function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
    });
    expect(fake.last!.json).toMatchObject({ tools: [{ function: { name: 'get_weather' } }] });
  });

  it('serves a named profile and records the attribution headers', async () => {
    await getRuntime().db.send(
      new PutCommand({
        TableName: getRuntime().config.storage.tables.profiles,
        Item: { id: 'team-a', name: 'Team A', createdAt: 'now', updatedAt: 'now' },
      }),
    );
    const teamClient = new OpenAI({
      apiKey: 'sk-client-key',
      baseURL: `${gateway.url}/v1/openai/team-a`,
      maxRetries: 0,
      defaultHeaders: {
        'X-Sluice-Agent-Id': 'agent-7',
        'X-Sluice-User-Id': 'user-1',
        'X-Sluice-Meta': 'meta-agent/exec-9/sess-3',
      },
    });
    await teamClient.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'a' }] });
    const [record] = await gateway.waitForRecords(1, 'team-a');
    expect(record).toMatchObject({
      profileId: 'team-a',
      agentId: 'agent-7',
      userId: 'user-1',
      executionId: 'exec-9',
      sessionId: 'sess-3',
    });
    expect(fake.last!.headers['x-sluice-agent-id']).toBeUndefined();
  });

  it('handles concurrent streams independently', async () => {
    fake.use(openAiChat({ content: 'abcdefghij', chunks: 10, chunkIntervalMs: 2 }));
    const before = (await gateway.records()).length;
    const results = await Promise.all(
      Array.from({ length: 24 }, async (_, i) => {
        const stream = await client.chat.completions.create({
          model: `gpt-${i}`,
          messages: [{ role: 'user', content: String(i) }],
          stream: true,
        });
        let text = '';
        for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
        return text;
      }),
    );
    expect(results.every((text) => text === 'abcdefghij')).toBe(true);
    const records = await gateway.waitForRecords(before + 24);
    const fresh = records.slice(before);
    expect(fresh).toHaveLength(24);
    expect(new Set(fresh.map((r) => r.model)).size).toBe(24);
    expect(fresh.every((r) => r.outputTokens === 7 && r.outcome === 'success')).toBe(true);
  });
});
