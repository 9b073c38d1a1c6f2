import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SluiceError } from '../../lib/errors/sluice-error.ts';
import { estimateCall, DEFAULT_OUTPUT_RESERVATION } from '../../lib/limits/call-estimate.ts';
import { unitsUp } from '../../lib/limits/counter-units.ts';
import { profileLimits, readLimits, virtualKeyLimits, type Limit } from '../../lib/limits/limit.ts';
import { reserveUsage } from '../../lib/limits/reserve-usage.ts';
import { UsageLimiter } from '../../lib/limits/usage-limiter.ts';
import { windowAt } from '../../lib/limits/windows.ts';
import { profileSchema } from '../../lib/profiles/profile.ts';
import { silentLogger as silent, startEmbeddedStorage, type EmbeddedStorage } from '../support/embedded-storage.ts';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { loadPriceCatalog } from '../../lib/pricing/price-catalog.ts';

// Sluice loads the price catalog lazily; the request path awaits it before pricing.
beforeAll(() => loadPriceCatalog());

const NOW = new Date('2025-03-10T14:25:00Z');

let storage: EmbeddedStorage;
let db: DynamoDBDocumentClient;
let limiter: UsageLimiter;
let table: string;

beforeAll(async () => {
  storage = await startEmbeddedStorage();
  db = storage.db;
  table = storage.config.storage.tables.usageCounters;
  limiter = new UsageLimiter(db, table);
});

afterAll(() => storage?.close());

let subjects = 0;
const freshProfile = () => ({ kind: 'profile' as const, id: `p${++subjects}` });
const counter = async (id: string) => (await db.send(new GetCommand({ TableName: table, Key: { id } }))).Item;

describe('limit windows and definitions', () => {
  it('cuts calendar windows in UTC', () => {
    expect(windowAt('hour', NOW)).toEqual({ start: '2025-03-10T14', end: new Date('2025-03-10T15:00:00Z') });
    expect(windowAt('day', NOW)).toEqual({ start: '2025-03-10', end: new Date('2025-03-11T00:00:00Z') });
    expect(windowAt('month', new Date('2025-12-31T23:59:59Z'))).toEqual({ start: '2025-12', end: new Date('2026-01-01T00:00:00Z') });
  });

  it('validates limits on profiles, and reads stored ones leniently', () => {
    const base = { id: 'team', name: 'Team', createdAt: 'x', updatedAt: 'x' };
    expect(profileSchema.safeParse({ ...base, limits: [{ id: 'daily', metric: 'tokens', window: 'day', max: 10 }] }).success).toBe(true);
    expect(profileSchema.safeParse({ ...base, limits: [{ id: 'Daily Cost', metric: 'tokens', window: 'day', max: 10 }] }).success).toBe(false);
    expect(profileSchema.safeParse({ ...base, limits: [{ id: 'd', metric: 'requests', window: 'day', max: 10 }] }).success).toBe(false);
    const twice = { id: 'd', metric: 'tokens', window: 'day', max: 1 };
    expect(profileSchema.safeParse({ ...base, limits: [twice, twice] }).success).toBe(false);

    const read = profileLimits({ id: 'team', limits: [twice, { id: 'bad', metric: 'tokens', window: 'week', max: 1 }] });
    expect(read.subject).toEqual({ kind: 'profile', id: 'team' });
    expect(read.limits).toEqual([twice]);
    expect(read.invalid).toHaveLength(1);
    expect(virtualKeyLimits({ id: 'vk_1' }).limits).toEqual([]);
    expect(readLimits({ kind: 'profile', id: 'x' }, 'nonsense').invalid).toHaveLength(1);
  });

  it('estimates a call at its output cap, or the default reservation', () => {
    const at = NOW;
    const body = (extra: object) => Buffer.from(JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }], ...extra }));
    const capped = estimateCall({ provider: 'openai', model: 'gpt-4o-mini', operation: 'chat', body: body({ max_tokens: 50 }), at });
    expect(capped.outputTokens).toBe(50);
    expect(capped.tokens).toBe(capped.inputTokens + 50);
    expect(capped.costUsd).toBeGreaterThan(0);
    expect(estimateCall({ provider: 'openai', model: 'gpt-4o-mini', operation: 'chat', body: body({}), at }).outputTokens).toBe(DEFAULT_OUTPUT_RESERVATION);
    expect(estimateCall({ provider: 'gemini', model: 'gemini-2.5-flash', operation: 'generateContent', body: Buffer.from('{"generationConfig":{"maxOutputTokens":77}}'), at }).outputTokens).toBe(77);
    expect(estimateCall({ provider: 'openai', model: 'text-embedding-3-small', operation: 'embeddings', body: Buffer.from('{"input":"x"}'), at }).outputTokens).toBe(0);
    expect(estimateCall({ provider: 'openai', model: 'unknown-model', operation: 'chat', body: body({}), at }).costUsd).toBe(0);
  });
});

describe('UsageLimiter against DynamoDB', () => {
  const tokens: Limit = { id: 'daily-tokens', metric: 'tokens', window: 'day', max: 100 };

  it('reserves within the limit and refuses past it, naming the limit', async () => {
    const subject = freshProfile();
    const first = await limiter.reserve(subject, tokens, 60, NOW);
    expect(first.usedAfter).toBe(60);
    expect(first.counterId).toBe(`profile#${subject.id}#daily-tokens#2025-03-10`);
    const second = await limiter.reserve(subject, tokens, 40, NOW);
    expect(second.usedAfter).toBe(100);
    const refused = await limiter.reserve(subject, tokens, 1, NOW).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(SluiceError);
    expect((refused as SluiceError).kind).toBe('limit_exceeded');
    expect((refused as SluiceError).status).toBe(402);
    expect((refused as SluiceError).message).toMatch(/Usage limit 'daily-tokens' of profile 'p\d+' would be passed: at most 100 tokens per day \(UTC\)/);
    expect((refused as SluiceError).message).toMatch(/resets at 2025-03-11T00:00:00.000Z/);
    expect((refused as SluiceError).message).toMatch(/; 100 tokens used so far this day; this request may use up to 1 token\./);
    const item = await counter(first.counterId);
    expect(item).toMatchObject({ used: 100, max: 100, subjectKind: 'profile', limitId: 'daily-tokens', windowStart: '2025-03-10' });
    expect(item!.expiresAt).toBe(Date.parse('2025-03-11T00:00:00Z') / 1000 + 86_400);
  });

  it('refuses a request that alone is larger than the limit', async () => {
    await expect(limiter.reserve(freshProfile(), tokens, 101, NOW)).rejects.toMatchObject({ kind: 'limit_exceeded' });
  });

  it('keeps separate counters per window and per subject', async () => {
    const subject = freshProfile();
    await limiter.reserve(subject, tokens, 100, NOW);
    const nextDay = await limiter.reserve(subject, tokens, 100, new Date('2025-03-11T00:00:01Z'));
    expect(nextDay.usedAfter).toBe(100);
    const key = await limiter.reserve({ kind: 'virtual_key', id: subject.id }, tokens, 100, NOW);
    expect(key.counterId).toBe(`virtual_key#${subject.id}#daily-tokens#2025-03-10`);
  });

  it('settles the true figure: more or less than reserved', async () => {
    const subject = freshProfile();
    const budget = await reserveUsage(limiter, silent, {
      subjects: [{ subject, limits: [tokens] }],
      provider: 'openai',
      model: 'gpt-4o-mini',
      operation: 'chat',
      body: Buffer.from('{"model":"gpt-4o-mini","messages":[],"max_tokens":20}'),
      requestId: 'r1',
      now: NOW,
    });
    const reservation = budget!.reservations[0]!;
    expect(reservation.reserved).toBeGreaterThan(20);
    await budget!.settle({ tokens: 7, costUsd: 0 }, silent);
    expect((await counter(reservation.counterId))!.used).toBe(7);
    await budget!.settle({ tokens: 1000, costUsd: 0 }, silent);
    expect((await counter(reservation.counterId))!.used).toBe(7);
  });

  it('counts cost limits in nano-dollars and reports the remainder in dollars', async () => {
    const subject = freshProfile();
    const cost: Limit = { id: 'spend', metric: 'cost_usd', window: 'month', max: 2.5 };
    const reservation = await limiter.reserve(subject, cost, unitsUp('cost_usd', 0.000_001_8), NOW);
    expect(reservation.reserved).toBe(1800);
    expect(reservation.max).toBe(2_500_000_000);
    const budget = await reserveUsage(limiter, silent, {
      subjects: [{ subject, limits: [cost] }],
      provider: 'openai',
      model: 'gpt-4o-mini',
      operation: 'chat',
      body: Buffer.from('{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Hi"}],"max_tokens":10}'),
      requestId: 'r2',
      now: NOW,
    });
    const headers = budget!.headers();
    const second = budget!.reservations[0]!;
    expect(second.usedAfter).toBe(1800 + second.reserved);
    expect(headers['x-sluice-limit-remaining-spend']).toBe(((2_500_000_000 - 1800 - second.reserved) / 1e9).toFixed(6));
    expect(headers['x-sluice-limit-reset-spend']).toBe('2025-04-01T00:00:00.000Z');
  });

  it('reserves all limits or none: a refusal releases what the others reserved', async () => {
    const profile = freshProfile();
    const key = { kind: 'virtual_key' as const, id: `k-${profile.id}` };
    const roomy: Limit = { id: 'roomy', metric: 'tokens', window: 'hour', max: 1_000_000 };
    const tight: Limit = { id: 'tight', metric: 'tokens', window: 'day', max: 5 };
    const request = {
      subjects: [
        { subject: profile, limits: [roomy] },
        { subject: key, limits: [tight] },
      ],
      provider: 'openai',
      model: 'gpt-4o-mini',
      operation: 'chat',
      body: Buffer.from('{"model":"gpt-4o-mini","messages":[],"max_tokens":20}'),
      requestId: 'r3',
      now: NOW,
    };
    await expect(reserveUsage(limiter, silent, request)).rejects.toMatchObject({
      kind: 'limit_exceeded',
      message: expect.stringMatching(/'tight' of virtual key 'k-p\d+'/),
    });
    expect((await counter(`profile#${profile.id}#roomy#2025-03-10T14`))!.used).toBe(0);
  });

  it('reports the smaller remainder when a profile and a key share a limit id', async () => {
    const profile = freshProfile();
    const budget = await reserveUsage(limiter, silent, {
      subjects: [
        { subject: profile, limits: [{ id: 'daily', metric: 'tokens', window: 'day', max: 1000 }] },
        { subject: { kind: 'virtual_key', id: `k-${profile.id}` }, limits: [{ id: 'daily', metric: 'tokens', window: 'day', max: 500 }] },
      ],
      provider: 'openai',
      model: 'gpt-4o-mini',
      operation: 'chat',
      body: Buffer.from('{"messages":[],"max_tokens":100}'),
      requestId: 'r4',
      now: NOW,
    });
    const reserved = budget!.reservations[0]!.reserved;
    expect(budget!.headers()['x-sluice-limit-remaining-daily']).toBe(String(500 - reserved));
  });

  it('applies no limit to calls that name no model, or when there are none', async () => {
    const base = { provider: 'openai', operation: 'models', body: Buffer.alloc(0), requestId: 'r5', now: NOW };
    expect(await reserveUsage(limiter, silent, { ...base, model: undefined, subjects: [{ subject: freshProfile(), limits: [tokens] }] })).toBeUndefined();
    expect(await reserveUsage(limiter, silent, { ...base, model: 'gpt-4o', subjects: [{ subject: freshProfile(), limits: [] }] })).toBeUndefined();
  });
});
