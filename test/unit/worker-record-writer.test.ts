import { MessageChannel } from 'node:worker_threads';
import { describe, expect, it, vi } from 'vitest';
import { serveRecordWritesOverPort, WorkerRecordWriter } from '../../bin/local/worker-record-writer.ts';
import { InteractionStore } from '../../lib/interactions/interaction-store.ts';
import { startEmbeddedStorage } from '../support/embedded-storage.ts';
import { numberedRecord } from '../support/records.ts';


describe('records written by the embedded DynamoDB\'s worker', () => {
  it('stores every record sent, as sent, and answers each write once it is stored', async () => {
    const { dynamo, config, db, close } = await startEmbeddedStorage({ overPort: true });
    const lost = vi.fn();
    const writer = dynamo.connectRecordWriter(lost);
    const reader = new InteractionStore(db, config.storage.tables.interactions, 1, { debug: vi.fn(), info: vi.fn(), warn: vi.fn(), error: vi.fn() });
    try {
      const records = Array.from({ length: 40 }, (_, i) => numberedRecord(i, { profileId: 'via-worker' }));
      const written = await Promise.all(records.map((record) => writer.write(record)));
      expect(written).toEqual(records.map(() => true));
      const stored = await reader.list('via-worker', { limit: 100 });
      expect(stored).toHaveLength(40);
      expect(stored.find((record) => record.id === 'i-7')).toEqual(records[7]);
      expect(lost).not.toHaveBeenCalled();
    } finally {
      writer.close?.();
      await close();
    }
  });

  it('answers false for records in flight when the worker goes away, and for records sent after, and says so', async () => {
    const { dynamo, db } = await startEmbeddedStorage({ overPort: true });
    const lost = vi.fn();
    const writer = dynamo.connectRecordWriter(lost);
    const inFlight = Array.from({ length: 20 }, (_, i) => writer.write(numberedRecord(i, { profileId: 'closing' })));
    await dynamo.close();
    const results = await Promise.all(inFlight);
    expect(results.every((result) => typeof result === 'boolean')).toBe(true);
    expect(await writer.write(numberedRecord(99, { profileId: 'closing' }))).toBe(false);
    expect(lost).toHaveBeenCalledWith(expect.objectContaining({ id: 'i-99' }), expect.stringContaining('closed'));
    expect(lost.mock.calls.length).toBe(results.filter((result) => !result).length + 1);
    db.destroy();
  });

  it('passes the writer\'s answer back to each record, whatever it is', async () => {
    const { port1, port2 } = new MessageChannel();
    const answers = new Map([['i-1', true], ['i-2', false]]);
    serveRecordWritesOverPort(port2, { writeMany: async (records) => records.map((record) => answers.get(record.id)!) });
    const writer = new WorkerRecordWriter(port1, vi.fn());
    expect(await Promise.all([writer.write(numberedRecord(1, { profileId: 'p' })), writer.write(numberedRecord(2, { profileId: 'p' }))])).toEqual([true, false]);
    writer.close();
    port2.close();
  });

  it('hands over the records that end within the linger together, and a full batch of 25 without waiting', async () => {
    const { port1, port2 } = new MessageChannel();
    const batches: string[][] = [];
    serveRecordWritesOverPort(port2, {
      writeMany: async (records) => {
        batches.push(records.map((record) => record.id));
        return records.map(() => true);
      },
    });
    const lingering = new WorkerRecordWriter(port1, vi.fn(), 5);
    const first = lingering.write(numberedRecord(1, { profileId: 'p' }));
    await new Promise((resolve) => setTimeout(resolve, 1));
    const second = lingering.write(numberedRecord(2, { profileId: 'p' }));
    expect(await Promise.all([first, second])).toEqual([true, true]);
    expect(batches).toEqual([['i-1', 'i-2']]);
    lingering.close();

    const { port1: other, port2: otherWorker } = new MessageChannel();
    serveRecordWritesOverPort(otherWorker, { writeMany: async (records) => (batches.push(records.map((r) => r.id)), records.map(() => true)) });
    // a linger far longer than the test: only a full batch can have gone
    const patient = new WorkerRecordWriter(other, vi.fn(), 600_000);
    const full = await Promise.all(Array.from({ length: 25 }, (_, i) => patient.write(numberedRecord(i, { profileId: 'p' }))));
    expect(full.every(Boolean)).toBe(true);
    expect(batches[1]).toHaveLength(25);
    patient.close();
    otherWorker.close();

    const lost = vi.fn();
    const late = new WorkerRecordWriter(new MessageChannel().port1, lost, 600_000);
    const waiting = late.write(numberedRecord(99, { profileId: 'p' }));
    late.close();
    expect(await waiting).toBe(false);
    expect(lost).toHaveBeenCalledWith(expect.objectContaining({ id: 'i-99' }), expect.stringContaining('closed'));
    port2.close();
  });
});
