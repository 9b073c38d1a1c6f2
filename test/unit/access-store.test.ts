import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import type { VirtualKeyRecord } from '../../lib/auth/access-records.ts';
import { AccessStore } from '../../lib/auth/access-store.ts';

const dynamo = mockClient(DynamoDBDocumentClient);
const db = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'eu-west-1' }));
const MINUTE = 60_000;

const record = (lastUsedAt?: string): VirtualKeyRecord => ({
  id: 'a'.repeat(64),
  kind: 'virtual-key',
  name: 'k',
  hint: 'sk-sluice-abcd…',
  profiles: ['default'],
  providerKeys: { openai: 'prod' },
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  ...(lastUsedAt ? { lastUsedAt } : {}),
});

let store: AccessStore;
beforeEach(() => {
  dynamo.reset();
  store = new AccessStore(db, 'sluice-virtual-keys', { cacheTtlMs: 5000, lastUsedIntervalMs: 5 * MINUTE });
});

describe('AccessStore', () => {
  it('records last use at most once per interval, not on every request', async () => {
    dynamo.on(UpdateCommand).resolves({});
    const start = Date.parse('2026-03-01T12:00:00Z');
    for (let i = 0; i < 50; i++) await store.touch(record(), start + i * 1000);
    expect(dynamo.commandCalls(UpdateCommand)).toHaveLength(1);
    await store.touch(record(), start + 5 * MINUTE);
    expect(dynamo.commandCalls(UpdateCommand)).toHaveLength(2);
    const input = dynamo.commandCalls(UpdateCommand)[1]!.args[0].input;
    expect(input.ExpressionAttributeValues).toEqual({
      ':now': '2026-03-01T12:05:00.000Z',
      ':threshold': '2026-03-01T12:00:00.000Z',
    });
    expect(input.ConditionExpression).toContain('lastUsedAt < :threshold');
  });

  it('skips the write when the stored last use is recent, and takes a lost race quietly', async () => {
    const now = Date.parse('2026-03-01T12:00:00Z');
    await store.touch(record('2026-03-01T11:58:00.000Z'), now);
    expect(dynamo.commandCalls(UpdateCommand)).toHaveLength(0);
    dynamo.on(UpdateCommand).rejects(Object.assign(new Error('condition'), { name: 'ConditionalCheckFailedException' }));
    await expect(store.touch(record('2026-03-01T11:00:00.000Z'), now)).resolves.toBeUndefined();
  });

  it('caches records it found and reads again for ones it did not', async () => {
    dynamo.on(GetCommand).resolves({}).on(GetCommand, { Key: { id: 'a'.repeat(64) } }).resolves({ Item: record() });
    await store.virtualKey('a'.repeat(64));
    await store.virtualKey('a'.repeat(64));
    await store.virtualKey('b'.repeat(64));
    await store.virtualKey('b'.repeat(64));
    expect(dynamo.commandCalls(GetCommand)).toHaveLength(3);
    expect(await store.oauthClient('a'.repeat(64))).toBeUndefined();
    expect(dynamo.commandCalls(GetCommand).at(-1)!.args[0].input.Key).toEqual({ id: `oauth#${'a'.repeat(64)}` });
  });
});
