import { findProvider, type ModelPrice } from '@pydantic/genai-prices';
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openAiChat, startFakeOpenAi } from '../fakes/openai-upstream.ts';
import type { FakeServer } from '../fakes/fake-server.ts';
import { startGateway, type TestGateway } from '../support/gateway.ts';
import { StdoutCapture, type EmfLine } from '../support/stdout-capture.ts';

let fake: FakeServer;
let gateway: TestGateway;
let client: OpenAI;
let capture: StdoutCapture;

beforeAll(async () => {
  capture = new StdoutCapture().start();
  fake = await startFakeOpenAi();
  gateway = await startGateway({
    SLUICE_OPENAI_BASE_URL: `${fake.url}/v1`,
    SLUICE_OPENAI_API_KEY: undefined,
    SLUICE_METRICS_ENABLED: 'true',
  });
  client = new OpenAI({ apiKey: 'sk-client-key', baseURL: `${gateway.url}/v1/openai`, maxRetries: 0 });
});

afterAll(async () => {
  await gateway?.close();
  await fake?.close();
  capture?.stop();
});

beforeEach(() => fake.use(openAiChat()));

async function recordAfter(before: number) {
  const records = await gateway.waitForRecords(before + 1);
  expect(records).toHaveLength(before + 1);
  return records.at(-1)!;
}

/** gpt-4o-mini's prices per million tokens, from the catalog. */
function gpt4oMiniPrices(): Record<string, number> {
  const model = findProvider({ providerId: 'openai' })!.models.find((m) => m.id === 'gpt-4o-mini')!;
  return model.prices as ModelPrice as Record<string, number>;
}

const emfOf = (interactionId: string) => (line: EmfLine) => line.interactionId === interactionId;

async function waitForEmf(interactionId: string, count: number): Promise<EmfLine[]> {
  const deadline = Date.now() + 5000;
  while (capture.emf(emfOf(interactionId)).length < count && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return capture.emf(emfOf(interactionId));
}

describe('interaction records: tokens and cost', () => {
  it('records tokens, cache tokens and the catalog cost of a priced model', async () => {
    fake.use(
      openAiChat({
        usage: {
          prompt_tokens: 2000,
          completion_tokens: 300,
          total_tokens: 2300,
          prompt_tokens_details: { cached_tokens: 1500 },
          completion_tokens_details: { reasoning_tokens: 100 },
        },
      }),
    );
    const before = (await gateway.records()).length;
    await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] });
    const record = await recordAfter(before);
    const prices = gpt4oMiniPrices();
    const expected = (500 * prices.input_mtok! + 1500 * prices.cache_read_mtok! + 300 * prices.output_mtok!) / 1e6;
    expect(record).toMatchObject({
      inputTokens: 2000,
      cacheReadTokens: 1500,
      outputTokens: 300,
      reasoningTokens: 100,
      costStatus: 'priced',
      pricedModel: 'gpt-4o-mini',
      finishReason: 'stop',
    });
    expect(record.tokensEstimated).toBeUndefined();
    expect(record.costUsd).toBeCloseTo(expected, 12);
  });

  it('records a streamed call’s tokens and cost', async () => {
    const before = (await gateway.records()).length;
    const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }], stream: true });
    for await (const chunk of stream) void chunk;
    const record = await recordAfter(before);
    const prices = gpt4oMiniPrices();
    expect(record).toMatchObject({ stream: true, inputTokens: 12, outputTokens: 7, costStatus: 'priced' });
    expect(record.costUsd).toBeCloseTo((12 * prices.input_mtok! + 7 * prices.output_mtok!) / 1e6, 12);
  });

  it('estimates tokens when the upstream reports none, and says so', async () => {
    fake.use(openAiChat({ omitUsage: true, content: 'The quick brown fox jumps over the lazy dog.' }));
    const before = (await gateway.records()).length;
    await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Tell me about foxes' }] });
    const record = await recordAfter(before);
    expect(record).toMatchObject({ tokensEstimated: true, outputTokens: 10, costStatus: 'priced' });
    expect(record.inputTokens).toBeGreaterThan(4);
    expect(record.costUsd).toBeGreaterThan(0);

    const stream = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'again' }], stream: true });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe('The quick brown fox jumps over the lazy dog.');
    const streamed = await recordAfter(before + 1);
    expect(streamed).toMatchObject({ stream: true, tokensEstimated: true, outputTokens: 10 });
  });

  it('gives no cost for a model the catalog does not know, and says so', async () => {
    const before = (await gateway.records()).length;
    fake.use(openAiChat({ model: 'acme-private-1' }));
    await client.chat.completions.create({ model: 'acme-private-1', messages: [{ role: 'user', content: 'Hi' }] });
    const record = await recordAfter(before);
    expect(record).toMatchObject({ inputTokens: 12, outputTokens: 7, costStatus: 'unknown_model' });
    expect(record).not.toHaveProperty('costUsd');
  });

  it('records no usage and no cost for a call refused before the upstream', async () => {
    const before = (await gateway.records()).length;
    await expect(client.chat.completions.create({ model: '', messages: [] })).rejects.toMatchObject({ status: 400 });
    const record = await recordAfter(before);
    expect(record).toMatchObject({ status: 400, costStatus: 'no_usage' });
    expect(record).not.toHaveProperty('inputTokens');
  });

  it('honours an incoming traceparent: recorded, and passed upstream unchanged', async () => {
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const before = (await gateway.records()).length;
    await client.chat.completions.create(
      { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] },
      { headers: { traceparent, tracestate: 'vendor=abc' } },
    );
    expect(fake.last!.headers.traceparent).toBe(traceparent);
    expect(fake.last!.headers.tracestate).toBe('vendor=abc');
    expect(fake.last!.headers['x-amzn-trace-id']).toBeUndefined();
    const record = await recordAfter(before);
    expect(record.traceId).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
  });
});

describe('CloudWatch metrics (EMF on stdout)', () => {
  it('publishes a streamed call’s metrics only after the stream’s last byte', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    fake.use(openAiChat({ content: 'one two three', chunks: 3, holdBeforeFinish: held }));
    const { data: stream, response } = await client.chat.completions
      .create(
        { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'count' }], stream: true },
        { headers: { 'X-Sluice-Execution-Id': 'exec-42', 'X-Sluice-User-Id': 'user-9' } },
      )
      .withResponse();
    const interactionId = response.headers.get('x-sluice-interaction-id')!;
    let text = '';
    let released = false;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      // once: the chunks after the held ones (finish, usage) leave the text as it is
      if (text === 'one two three' && !released) {
        released = true;
        // every content chunk is here, the stream is still open upstream: no metrics yet
        expect(capture.emf(emfOf(interactionId))).toEqual([]);
        capture.mark(`mid-stream ${interactionId}`);
        release();
      }
    }
    expect(text).toBe('one two three');

    const lines = await waitForEmf(interactionId, 1);
    expect(lines).toHaveLength(1);
    const position = (predicate: (event: (typeof capture.events)[number]) => boolean) => capture.events.findIndex(predicate);
    // Published once Sluice has sent the last byte, which the client reads a moment later: the lines
    // come after the held end of the stream was let go, never while the stream was open.
    const midStream = position((e) => e.kind === 'mark' && e.name === `mid-stream ${interactionId}`);
    const firstEmf = position((e) => e.kind === 'emf' && e.line.interactionId === interactionId);
    expect(midStream).toBeGreaterThanOrEqual(0);
    expect(firstEmf).toBeGreaterThan(midStream);

    const [line] = lines;
    expect(line!._aws.CloudWatchMetrics[0]).toMatchObject({
      Namespace: 'Sluice',
      Dimensions: [['service'], ['service', 'Provider'], ['service', 'Provider', 'Model']],
    });
    expect(line).toMatchObject({
      Provider: 'openai',
      Model: 'gpt-4o-mini',
      Requests: 1,
      Errors: 0,
      AgentExecutions: 1,
      BlockedToolCalls: 0,
      InputTokens: 12,
      OutputTokens: 7,
      executionId: 'exec-42',
      userId: 'user-9',
    });
    expect(line!.TimeToFirstByte as number).toBeLessThan(line!.Latency as number);
    expect(line!.CostUsd as number).toBeGreaterThan(0);
  });

  it('publishes errors too, with no token metrics', async () => {
    fake.use(openAiChat({ failWith: { status: 429, message: 'Rate limit reached', type: 'requests', code: 'rate_limit_exceeded' } }));
    const { response } = await client.chat.completions
      .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] })
      .withResponse()
      .catch((error: { headers?: Headers }) => ({ response: { headers: error.headers! } }));
    const interactionId = response.headers.get('x-sluice-interaction-id')!;
    const lines = await waitForEmf(interactionId, 1);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ Requests: 1, Errors: 1, status: '429', outcome: 'upstream_error' });
    expect(lines[0]).not.toHaveProperty('InputTokens');
  });
});
