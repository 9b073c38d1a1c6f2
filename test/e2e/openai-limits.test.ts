import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import OpenAI, { APIError } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { estimateCall } from '../../lib/limits/call-estimate.ts';
import type { Limit } from '../../lib/limits/limit.ts';
import { windowAt } from '../../lib/limits/windows.ts';
import { getRuntime } from '../../lib/runtime.ts';
import { openAiChat, startFakeOpenAi } from '../fakes/openai-upstream.ts';
import type { FakeServer } from '../fakes/fake-server.ts';
import { startGateway, type TestGateway } from '../support/gateway.ts';

let fake: FakeServer;
let gateway: TestGateway;

beforeAll(async () => {
  fake = await startFakeOpenAi();
  gateway = await startGateway({ SLUICE_OPENAI_BASE_URL: `${fake.url}/v1`, SLUICE_OPENAI_API_KEY: undefined });
});

afterAll(async () => {
  await gateway?.close();
  await fake?.close();
});

async function createProfile(id: string, limits: Limit[]): Promise<void> {
  const runtime = getRuntime();
  await runtime.db.send(
    new PutCommand({ TableName: runtime.config.storage.tables.profiles, Item: { id, name: id, createdAt: 'now', updatedAt: 'now', limits } }),
  );
}

/** The official SDK with its default retries: a refusal it retried would show up as extra records. */
const sdkFor = (profileId: string) => new OpenAI({ apiKey: 'sk-client-key', baseURL: `${gateway.url}/v1/openai/${profileId}` });

async function counterValue(id: string): Promise<number | undefined> {
  const runtime = getRuntime();
  const result = await runtime.db.send(new GetCommand({ TableName: runtime.config.storage.tables.usageCounters, Key: { id }, ConsistentRead: true }));
  return result.Item?.used as number | undefined;
}

async function until(condition: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('usage limits on a profile', () => {
  it('admits no more than the limit allows under 50 concurrent requests, counted from the records', async () => {
    const params = { model: 'gpt-4o-mini', messages: [{ role: 'user' as const, content: 'Hello there' }], max_tokens: 40 };
    const perCall = estimateCall({ provider: 'openai', model: params.model, operation: 'chat', body: Buffer.from(JSON.stringify(params)), at: new Date() }).tokens;
    // room for ten reservations and half of an eleventh
    await createProfile('burst', [{ id: 'burst-tokens', metric: 'tokens', window: 'day', max: Math.floor(perCall * 10.5) }]);

    let release!: () => void;
    fake.use(openAiChat({ holdUntil: new Promise<void>((resolve) => (release = resolve)) }));
    const upstreamBefore = fake.received.length;
    const client = sdkFor('burst');
    let refused = 0;
    const calls = Array.from({ length: 50 }, () =>
      client.chat.completions.create(params).catch((error: unknown) => {
        refused += 1;
        throw error;
      }),
    );
    const settled = Promise.allSettled(calls);
    // every call is decided (held upstream or refused) before any upstream answer: settlement cannot free room
    await until(() => refused + (fake.received.length - upstreamBefore) === 50, 'all 50 calls to be admitted or refused');
    release();
    const results = await settled;

    const admitted = results.filter((r) => r.status === 'fulfilled');
    const refusals = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
    expect(admitted.length).toBeLessThanOrEqual(10);
    expect(admitted.length).toBe(10);
    expect(fake.received.length - upstreamBefore).toBe(10);
    for (const error of refusals) {
      expect(error).toBeInstanceOf(APIError);
      expect(error).toMatchObject({ status: 402, type: 'insufficient_quota', code: 'usage_limit_exceeded' });
      expect((error as APIError).message).toMatch(/Usage limit 'burst-tokens' of profile 'burst' would be passed/);
    }

    const records = await gateway.waitForRecords(50, 'burst');
    expect(records).toHaveLength(50);
    const succeeded = records.filter((r) => r.outcome === 'success');
    expect(succeeded).toHaveLength(10);
    expect(succeeded.every((r) => r.status === 200)).toBe(true);
    const blocked = records.filter((r) => r.status === 402);
    expect(blocked).toHaveLength(40);
    expect(blocked.every((r) => r.error?.kind === 'limit_exceeded' && r.error.message.includes("'burst-tokens'"))).toBe(true);

    // each reservation was replaced by the true figure once its call ended
    const counterId = `profile#burst#burst-tokens#${windowAt('day', new Date()).start}`;
    const used = succeeded.reduce((sum, r) => sum + r.inputTokens! + r.outputTokens!, 0);
    await until(async () => (await counterValue(counterId)) === used, `the counter to settle at ${used}`);
  });

  it('refuses the call that would pass a cost limit, and reports what remains in headers', async () => {
    // gpt-4o-mini: the fake's answer (12 in, 7 out) costs $0.000006; a call with max_tokens 10 reserves a little more
    const max = 0.00001;
    await createProfile('pennies', [{ id: 'daily-spend', metric: 'cost_usd', window: 'day', max }]);
    fake.use(openAiChat());
    const client = sdkFor('pennies');
    const params = { model: 'gpt-4o-mini', messages: [{ role: 'user' as const, content: 'Hi' }], max_tokens: 10 };
    const { response } = await client.chat.completions.create(params).withResponse();
    const remaining = Number(response.headers.get('x-sluice-limit-remaining-daily-spend'));
    const reserved = estimateCall({ provider: 'openai', model: 'gpt-4o-mini', operation: 'chat', body: Buffer.from(JSON.stringify(params)), at: new Date() }).costUsd;
    expect(remaining).toBeCloseTo(max - reserved, 6);
    expect(response.headers.get('x-sluice-limit-reset-daily-spend')).toBe(windowAt('day', new Date()).end.toISOString());

    const refusal = await client.chat.completions.create(params).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(APIError);
    expect(refusal).toMatchObject({ status: 402 });
    expect((refusal as APIError).message).toMatch(/Usage limit 'daily-spend' of profile 'pennies' would be passed: at most \$0\.000010 per day \(UTC\)/);
    const records = await gateway.waitForRecords(2, 'pennies');
    expect(records.map((r) => r.status)).toEqual([200, 402]);
  });

  it('streams under a limit, with the remaining-budget header on the stream', async () => {
    await createProfile('streamer', [{ id: 'hourly', metric: 'tokens', window: 'hour', max: 100_000 }]);
    fake.use(openAiChat());
    const { data, response } = await sdkFor('streamer')
      .chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }], stream: true })
      .withResponse();
    for await (const chunk of data) void chunk;
    expect(Number(response.headers.get('x-sluice-limit-remaining-hourly'))).toBeLessThan(100_000);
    const [record] = await gateway.waitForRecords(1, 'streamer');
    const counterId = `profile#streamer#hourly#${windowAt('hour', new Date()).start}`;
    await until(async () => (await counterValue(counterId)) === record!.inputTokens! + record!.outputTokens!, 'the stream’s usage to settle');
  });
});
