import { MessageChannel } from 'node:worker_threads';
import { describe, expect, it, vi } from 'vitest';
import { serveRecordWritesOverPort, WorkerRecordWriter } from '../../bin/local/worker-record-writer.ts';
import { InteractionStore } from '../../lib/interactions/interaction-store.ts';
import { guardedMetricsPublisher } from '../../lib/observability/request-metrics.ts';
import { startEmbeddedStorage } from '../support/embedded-storage.ts';
import { numberedRecord } from '../support/records.ts';
import { StdoutCapture } from '../support/stdout-capture.ts';

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
    const lingering = new WorkerRecordWriter(port1, vi.fn(), { lingerMs: 5 });
    const first = lingering.write(numberedRecord(1, { profileId: 'p' }));
    await new Promise((resolve) => setTimeout(resolve, 1));
    const second = lingering.write(numberedRecord(2, { profileId: 'p' }));
    expect(await Promise.all([first, second])).toEqual([true, true]);
    expect(batches).toEqual([['i-1', 'i-2']]);
    lingering.close();

    const { port1: other, port2: otherWorker } = new MessageChannel();
    serveRecordWritesOverPort(otherWorker, { writeMany: async (records) => (batches.push(records.map((r) => r.id)), records.map(() => true)) });
    // a linger far longer than the test: only a full batch can have gone
    const patient = new WorkerRecordWriter(other, vi.fn(), { lingerMs: 600_000 });
    const full = await Promise.all(Array.from({ length: 25 }, (_, i) => patient.write(numberedRecord(i, { profileId: 'p' }))));
    expect(full.every(Boolean)).toBe(true);
    expect(batches[1]).toHaveLength(25);
    patient.close();
    otherWorker.close();

    const lost = vi.fn();
    const published = vi.fn();
    const late = new WorkerRecordWriter(new MessageChannel().port1, lost, { lingerMs: 600_000, publishMetrics: published });
    const waiting = late.write(numberedRecord(99, { profileId: 'p' }));
    late.close();
    expect(await waiting).toBe(false);
    expect(lost).toHaveBeenCalledWith(expect.objectContaining({ id: 'i-99' }), expect.stringContaining('closed'));
    expect(await late.write(numberedRecord(100, { profileId: 'p' }))).toBe(false);
    // never handed to the worker: their metrics are published on this side
    expect(published.mock.calls.map(([record]) => (record as { id: string }).id)).toEqual(['i-99', 'i-100']);
    port2.close();
  });

  it('publishes each record\'s request metrics in the worker when connected to, and only then', async () => {
    const { dynamo, close } = await startEmbeddedStorage({ overPort: true });
    const capture = new StdoutCapture().start();
    const writer = dynamo.connectRecordWriter(vi.fn(), guardedMetricsPublisher({ warn: vi.fn() }));
    const silent = dynamo.connectRecordWriter(vi.fn());
    try {
      expect(writer.publishesRequestMetrics).toBe(true);
      expect(silent.publishesRequestMetrics).toBe(false);
      const now = new Date().toISOString();
      const records = Array.from({ length: 3 }, (_, i) => numberedRecord(i, { profileId: 'metered', createdAt: now }));
      expect(await Promise.all(records.map((record) => writer.write(record)))).toEqual([true, true, true]);
      expect(await silent.write(numberedRecord(9, { profileId: 'metered', createdAt: now }))).toBe(true);
      // the worker's stdout reaches this process's after its answer, on a later turn
      const deadline = Date.now() + 5000;
      while (capture.emf().length < 3 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(capture.emf().map((line) => line.interactionId).sort()).toEqual(['i-0', 'i-1', 'i-2']);
      expect(capture.emf()[0]).toMatchObject({ Requests: 1, Provider: 'openai' });
    } finally {
      capture.stop();
      writer.close?.();
      silent.close?.();
      await close();
    }
  });

  it('has the worker hand each record to its metrics publisher before the write, and the gateway side publish none of them', async () => {
    const order: string[] = [];
    const { port1, port2 } = new MessageChannel();
    serveRecordWritesOverPort(
      port2,
      { writeMany: async (records) => (order.push(...records.map((record) => `write ${record.id}`)), records.map(() => true)) },
      (record) => order.push(`metrics ${record.id}`),
    );
    const hereToo = vi.fn();
    const writer = new WorkerRecordWriter(port1, vi.fn(), { lingerMs: 5, publishMetrics: hereToo });
    await Promise.all([writer.write(numberedRecord(1, { profileId: 'p' })), writer.write(numberedRecord(2, { profileId: 'p' }))]);
    expect(order).toEqual(['metrics i-1', 'metrics i-2', 'write i-1', 'write i-2']);
    expect(hereToo).not.toHaveBeenCalled();
    writer.close();
    port2.close();
  });
});
