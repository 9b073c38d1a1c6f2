import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { FakeServer } from '../fakes/fake-server.ts';
import { openAiApi, startFakeOpenAiApi } from '../fakes/openai-api.ts';
import { startGateway, type TestGateway } from '../support/gateway.ts';

let fake: FakeServer;
let gateway: TestGateway;
let client: OpenAI;

beforeAll(async () => {
  fake = await startFakeOpenAiApi();
  gateway = await startGateway({ SLUICE_OPENAI_BASE_URL: `${fake.url}/v1`, SLUICE_OPENAI_API_KEY: undefined });
  client = new OpenAI({ apiKey: 'sk-client-key', baseURL: `${gateway.url}/v1/openai`, maxRetries: 0 });
});

afterAll(async () => {
  await gateway?.close();
  await fake?.close();
});

beforeEach(() => fake.use(openAiApi()));

async function recordsAfter(before: number) {
  return (await gateway.waitForRecords(before + 1)).slice(before);
}

const tools = [
  {
    type: 'function' as const,
    name: 'get_weather',
    description: 'Weather of a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false },
    strict: true,
  },
];

describe('OpenAI Responses API through Sluice', () => {
  it('answers a plain response, forwards the body unchanged, and records its usage', async () => {
    const before = (await gateway.records()).length;
    const response = await client.responses.create({ model: 'gpt-4o-mini', input: 'Hi', instructions: 'Be brief.' });
    expect(response.output_text).toBe('Hello from the fake Responses API.');
    expect(response.usage?.input_tokens).toBe(21);

    const received = fake.last!;
    expect(received.method).toBe('POST');
    expect(received.path).toBe('/v1/responses');
    expect(received.headers.authorization).toBe('Bearer sk-client-key');
    expect(received.json).toEqual({ model: 'gpt-4o-mini', input: 'Hi', instructions: 'Be brief.' });

    const [record] = await recordsAfter(before);
    expect(record).toMatchObject({
      provider: 'openai',
      operation: 'responses',
      model: 'gpt-4o-mini',
      responseModel: 'gpt-4o-mini-2024-07-18',
      stream: false,
      status: 200,
      outcome: 'success',
      inputTokens: 21,
      outputTokens: 9,
      cacheReadTokens: 4,
      reasoningTokens: 2,
    });
  });

  it('streams the events as they come and reads usage from response.completed', async () => {
    fake.use(openAiApi({ responses: { text: 'one two three four', chunks: 4 } }));
    const before = (await gateway.records()).length;
    const stream = await client.responses.create({ model: 'gpt-4o-mini', input: 'count', stream: true });
    const types: string[] = [];
    let text = '';
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === 'response.output_text.delta') text += event.delta;
    }
    expect(text).toBe('one two three four');
    expect(types[0]).toBe('response.created');
    expect(types.at(-1)).toBe('response.completed');
    expect(types.filter((t) => t === 'response.output_text.delta')).toHaveLength(4);
    // nothing added to the body: usage always comes with response.completed
    expect(fake.last!.json).toEqual({ model: 'gpt-4o-mini', input: 'count', stream: true });

    const [record] = await recordsAfter(before);
    expect(record).toMatchObject({
      operation: 'responses',
      stream: true,
      status: 200,
      outcome: 'success',
      responseModel: 'gpt-4o-mini-2024-07-18',
      inputTokens: 21,
      outputTokens: 9,
    });
  });

  it('serves the SDK stream helper, which checks the event sequence, with text and with a tool call', async () => {
    const final = await client.responses.stream({ model: 'gpt-4o-mini', input: 'Hi' }).finalResponse();
    expect(final.output_text).toBe('Hello from the fake Responses API.');

    fake.use(openAiApi({ responses: { toolCalls: [{ id: 'call_7', name: 'get_weather', arguments: '{"city":"Oslo"}' }] } }));
    const withTool = await client.responses.stream({ model: 'gpt-4o-mini', input: 'weather?', tools }).finalResponse();
    expect(withTool.output[0]).toMatchObject({ type: 'function_call', call_id: 'call_7', name: 'get_weather', arguments: '{"city":"Oslo"}' });
    expect(fake.last!.json).toMatchObject({ tools: [{ name: 'get_weather' }], stream: true });
  });

  it('reads usage from a stream that has data lines only (no event: names)', async () => {
    fake.use(openAiApi({ responses: { omitEventLines: true } }));
    const before = (await gateway.records()).length;
    const stream = await client.responses.create({ model: 'gpt-4o-mini', input: 'Hi', stream: true });
    let count = 0;
    for await (const _event of stream) count++;
    expect(count).toBeGreaterThan(5);
    const [record] = await recordsAfter(before);
    expect(record).toMatchObject({ stream: true, outcome: 'success', inputTokens: 21, outputTokens: 9 });
  });

  it('ends a stream cut by the upstream with an error the SDK raises, and records the failure', async () => {
    fake.use(openAiApi({ responses: { chunks: 4, cutAfterDeltas: 2 } }));
    const before = (await gateway.records()).length;
    const stream = await client.responses.create({ model: 'gpt-4o-mini', input: 'Hi', stream: true });
    const error = await (async () => {
      for await (const _event of stream) {
        // reading until the error
      }
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    const [record] = await recordsAfter(before);
    expect(record).toMatchObject({ operation: 'responses', stream: true, outcome: 'error', error: { kind: 'upstream_error' } });
  });

  it('answers wrong field types with a 400 naming the field, without calling upstream', async () => {
    const calls = fake.received.length;
    const badInput = await client.responses.create({ model: 'gpt-4o-mini', input: 42 as unknown as string }).catch((e: unknown) => e);
    expect(badInput).toBeInstanceOf(OpenAI.BadRequestError);
    expect((badInput as InstanceType<typeof OpenAI.BadRequestError>).param).toBe('input');
    const badStream = await client.responses
      .create({ model: 'gpt-4o-mini', input: 'x', stream: 'yes' as unknown as false })
      .catch((e: unknown) => e);
    expect((badStream as InstanceType<typeof OpenAI.BadRequestError>).param).toBe('stream');
    expect(fake.received.length).toBe(calls);
  });

  it('relays an upstream error with its status and body', async () => {
    fake.use(openAiApi({ responses: { failWith: { status: 429, message: 'Rate limit reached', type: 'requests', code: 'rate_limit_exceeded' } } }));
    const error = await client.responses.create({ model: 'gpt-4o-mini', input: 'Hi' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    expect((error as InstanceType<typeof OpenAI.RateLimitError>).message).toContain('Rate limit reached');
  });
});

describe('OpenAI embeddings and models through Sluice', () => {
  it('forwards embeddings and records their usage', async () => {
    const before = (await gateway.records()).length;
    const result = await client.embeddings.create({ model: 'text-embedding-3-small', input: ['alpha', 'beta'] });
    expect(result.data).toHaveLength(2);
    expect(result.data[1]!.embedding).toEqual([0.5, 0.625, 0.75, 0.875]);
    expect(result.usage.prompt_tokens).toBe(8);
    expect(fake.last!.path).toBe('/v1/embeddings');
    expect(fake.last!.json).toMatchObject({ model: 'text-embedding-3-small', input: ['alpha', 'beta'], encoding_format: 'base64' });

    const [record] = await recordsAfter(before);
    expect(record).toMatchObject({
      operation: 'embeddings',
      model: 'text-embedding-3-small',
      responseModel: 'text-embedding-3-small',
      stream: false,
      outcome: 'success',
      inputTokens: 8,
    });
  });

  it('answers an embeddings body without input with a 400', async () => {
    const error = await client.embeddings
      .create({ model: 'text-embedding-3-small' } as unknown as OpenAI.EmbeddingCreateParams)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as InstanceType<typeof OpenAI.BadRequestError>).param).toBe('input');
  });

  it('lists models with the caller key, as a GET without a body', async () => {
    const before = (await gateway.records()).length;
    const ids: string[] = [];
    for await (const model of client.models.list()) ids.push(model.id);
    expect(ids).toEqual(['gpt-4o-mini', 'gpt-4.1', 'text-embedding-3-small']);
    const received = fake.last!;
    expect(received.method).toBe('GET');
    expect(received.path).toBe('/v1/models');
    expect(received.headers.authorization).toBe('Bearer sk-client-key');
    expect(received.body.byteLength).toBe(0);
    const [record] = await recordsAfter(before);
    expect(record).toMatchObject({ operation: 'models', method: 'GET', status: 200, outcome: 'success', stream: false });
  });

  it('refuses models without a key in the OpenAI dialect, and POST on /models with a 405', async () => {
    const anonymous = await fetch(`${gateway.url}/v1/openai/models`);
    expect(anonymous.status).toBe(401);
    expect(((await anonymous.json()) as { error: { code: string } }).error.code).toBe('missing_api_key');
    const post = await fetch(`${gateway.url}/v1/openai/models`, {
      method: 'POST',
      headers: { authorization: 'Bearer sk-client-key' },
    });
    expect(post.status).toBe(405);
    expect(((await post.json()) as { error: { type: string } }).error.type).toBe('invalid_request_error');
  });
});
