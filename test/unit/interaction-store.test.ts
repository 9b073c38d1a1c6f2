import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { InteractionStore } from '../../lib/interactions/interaction-store.ts';
import { startEmbeddedStorage, type EmbeddedStorage } from '../support/embedded-storage.ts';
import { numberedRecord } from '../support/records.ts';

const silent = () => ({ debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() });
const commandsSent = (send: { mock: { calls: unknown[][] } }, type: abstract new (...args: never[]) => unknown) =>
  send.mock.calls.filter(([command]) => command instanceof type).length;

describe('InteractionStore over the embedded DynamoDB', () => {
  let storage: EmbeddedStorage;
  let db: DynamoDBDocumentClient;
  let table: string;

  beforeAll(async () => {
    storage = await startEmbeddedStorage();
    db = storage.db;
    table = storage.config.storage.tables.interactions;
  });
  afterAll(() => storage?.close());

  it('writes a lone record with PutItem, and records that end together in fewer calls, every one stored', async () => {
    const send = vi.spyOn(db, 'send');
    const store = new InteractionStore(db, table, 3, silent());
    expect(await store.write(numberedRecord(0, { profileId: 'lone' }))).toBe(true);
    expect([commandsSent(send, PutCommand), commandsSent(send, BatchWriteCommand)]).toEqual([1, 0]);

    send.mockClear();
    const written = await Promise.all(Array.from({ length: 60 }, (_, i) => store.write(numberedRecord(i, { profileId: 'burst' }))));
    expect(written.every(Boolean)).toBe(true);
    expect(commandsSent(send, BatchWriteCommand)).toBeGreaterThan(0);
    expect(send.mock.calls.length).toBeLessThan(60);
    const stored = await store.list('burst', { limit: 100 });
    expect(stored.map((r) => r.id).sort()).toEqual(Array.from({ length: 60 }, (_, i) => `i-${i}`).sort());
    expect(stored.find((r) => r.id === 'i-7')).toEqual(numberedRecord(7, { profileId: 'burst' }));
    send.mockRestore();
  });

  it('writes records handed over together in BatchWriteItem calls of up to 25, answering each in order', async () => {
    const send = vi.spyOn(db, 'send');
    const store = new InteractionStore(db, table, 3, silent());
    const records = Array.from({ length: 30 }, (_, i) => numberedRecord(i, { profileId: 'handed-over' }));
    expect(await store.writeMany(records)).toEqual(records.map(() => true));
    expect(send.mock.calls.map(([command]) => command.constructor.name)).toEqual(['BatchWriteCommand', 'BatchWriteCommand']);
    expect((await store.list('handed-over', { limit: 100 })).map((r) => r.id).sort()).toEqual(records.map((r) => r.id).sort());
    send.mockRestore();
  });

  it('does not lose the other records of a batch that DynamoDB refuses because of one', async () => {
    const logger = silent();
    const store = new InteractionStore(db, table, 1, logger);
    const tooLarge = numberedRecord(99, { profileId: 'mixed', path: 'x'.repeat(450_000) });
    const results = await Promise.all([
      store.write(numberedRecord(1, { profileId: 'mixed' })),
      store.write(numberedRecord(2, { profileId: 'mixed' })),
      store.write(numberedRecord(3, { profileId: 'mixed' })),
      store.write(tooLarge),
      store.write(numberedRecord(4, { profileId: 'mixed' })),
    ]);
    expect(results).toEqual([true, true, true, false, true]);
    expect((await store.list('mixed')).map((r) => r.id).sort()).toEqual(['i-1', 'i-2', 'i-3', 'i-4']);
    expect(logger.error).toHaveBeenCalledWith('interaction record write failed', expect.objectContaining({ interactionId: 'i-99' }));
  });
});

describe('InteractionStore retries', () => {
  const db = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
  const dynamo = mockClient(db);

  it('writes again only what a batch left unprocessed, and gives up on it after the last attempt', async () => {
    dynamo.reset();
    const batches: string[][] = [];
    dynamo.on(PutCommand).resolves({});
    // the record i-2 is always throttled
    dynamo.on(BatchWriteCommand).callsFake((input: { RequestItems: Record<string, Array<{ PutRequest: { Item: { id: string } } }>> }) => {
      const requests = input.RequestItems.interactions!;
      batches.push(requests.map((request) => request.PutRequest.Item.id));
      return { UnprocessedItems: { interactions: requests.filter((request) => request.PutRequest.Item.id === 'i-2') } };
    });
    const logger = silent();
    const store = new InteractionStore(db, 'interactions', 2, logger);
    // two lone writes keep both calls busy; the next three go together in one batch
    const results = await Promise.all([0, 9, 1, 2, 3].map((i) => store.write(numberedRecord(i))));
    expect(results).toEqual([true, true, true, false, true]);
    expect(batches).toEqual([['i-1', 'i-2', 'i-3'], ['i-2']]);
    expect(logger.warn).toHaveBeenCalledWith('interaction record write failed', expect.objectContaining({ interactionId: 'i-2', attempt: 1 }));
    expect(logger.error).toHaveBeenCalledWith('interaction record write failed', expect.objectContaining({ interactionId: 'i-2', attempt: 2 }));
  });

  it('writes each record of a batch refused as a whole on its own', async () => {
    dynamo.reset();
    dynamo.on(BatchWriteCommand).rejects(new Error('ValidationException: Item size has exceeded the maximum allowed size'));
    dynamo.on(PutCommand).resolves({});
    const store = new InteractionStore(db, 'interactions', 2, silent());
    const results = await Promise.all([0, 1, 2, 3, 4].map((i) => store.write(numberedRecord(i))));
    expect(results).toEqual([true, true, true, true, true]);
    expect(dynamo.commandCalls(PutCommand).map((call) => call.args[0].input.Item?.id).sort()).toEqual(['i-0', 'i-1', 'i-2', 'i-3', 'i-4']);
  });

  it('retries a lone record that failed, then gives up and logs it without throwing', async () => {
    dynamo.reset();
    dynamo.on(PutCommand).rejects(new Error('boom'));
    const logger = silent();
    const store = new InteractionStore(db, 'interactions', 2, logger);
    expect(await store.write(numberedRecord(5))).toBe(false);
    expect(dynamo.commandCalls(PutCommand)).toHaveLength(2);
    expect(logger.warn).toHaveBeenCalledWith('interaction record write failed', expect.objectContaining({ attempt: 1, error: 'boom' }));
    expect(logger.error).toHaveBeenCalledWith('interaction record write failed', expect.objectContaining({ attempt: 2, error: 'boom' }));
  });
});
