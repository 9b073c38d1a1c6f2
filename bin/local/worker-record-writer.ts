import type { MessagePort } from 'node:worker_threads';
import type { Interaction } from '../../lib/interactions/interaction.ts';
import { BATCH_WRITE_LIMIT, type PendingRecord, type RecordWriter } from '../../lib/interactions/record-writer.ts';
import type { PortRecordWrite, PortRecordWritten } from './port-http-messages.ts';

/** How long the first record of a batch waits for others before the batch goes anyway. */
export const RECORD_LINGER_MS = 10;

/**
 * The local server's RecordWriter: records are gathered for up to RECORD_LINGER_MS (or 25 of them)
 * and posted together to the embedded DynamoDB's worker thread, where lib's InteractionStore
 * writes them in one BatchWriteItem through @aws-sdk/lib-dynamodb (retries and logging as on
 * AWS). A write call and a message cost far more than a record in them, and this process answers
 * many requests one after another; the SDK's work then runs beside the gateway's event loop
 * instead of on it. Each write still resolves only once its record is stored.
 */
export class WorkerRecordWriter implements RecordWriter {
  private readonly port: MessagePort;
  private readonly onLost: (record: Interaction, reason: string) => void;
  private readonly lingerMs: number;
  private readonly posted = new Map<number, PendingRecord[]>();
  private gathering: PendingRecord[] = [];
  private lingerTimer: NodeJS.Timeout | undefined;
  private nextId = 0;
  private closedBecause: string | undefined;
  private readonly publishMetrics: ((record: Interaction) => void) | undefined;

  /**
   * `onLost` hears of each record that could not be handed to the worker (it logs its own failures).
   * `publishMetrics`: the worker was connected to publish each record's request metrics; the
   * metrics of a record never handed to it are published here with this instead.
   */
  constructor(
    port: MessagePort,
    onLost: (record: Interaction, reason: string) => void,
    { lingerMs = RECORD_LINGER_MS, publishMetrics }: { lingerMs?: number; publishMetrics?: (record: Interaction) => void } = {},
  ) {
    this.port = port;
    this.onLost = onLost;
    this.lingerMs = lingerMs;
    this.publishMetrics = publishMetrics;
    port.on('message', ({ id, written }: PortRecordWritten) => this.settle(id, written));
    port.on('close', () => this.fail('the embedded DynamoDB closed its connection'));
    // The port holds the process open only while records are on their way.
    port.unref();
  }

  get publishesRequestMetrics(): boolean {
    return this.publishMetrics !== undefined;
  }

  write(record: Interaction): Promise<boolean> {
    if (this.closedBecause) {
      this.lose(record);
      return Promise.resolve(false);
    }
    return new Promise((done) => {
      this.gathering.push({ record, done });
      if (this.gathering.length >= BATCH_WRITE_LIMIT) this.post();
      else this.lingerTimer ??= setTimeout(() => this.post(), this.lingerMs);
    });
  }

  close(): void {
    this.fail('the record writer was closed');
    this.port.close();
  }

  private post(): void {
    clearTimeout(this.lingerTimer);
    this.lingerTimer = undefined;
    const batch = this.gathering;
    this.gathering = [];
    if (batch.length === 0) return;
    const message: PortRecordWrite = { id: this.nextId++, records: batch.map(({ record }) => record) };
    if (this.posted.size === 0) this.port.ref();
    this.posted.set(message.id, batch);
    this.port.postMessage(message);
  }

  private settle(id: number, written: ReadonlyArray<boolean>): void {
    const batch = this.posted.get(id);
    if (!batch) return;
    this.posted.delete(id);
    if (this.posted.size === 0) this.port.unref();
    batch.forEach(({ done }, i) => done(written[i] ?? false));
  }

  private fail(reason: string): void {
    this.closedBecause ??= reason;
    clearTimeout(this.lingerTimer);
    this.lingerTimer = undefined;
    const neverPosted = this.gathering;
    const unanswered = [...this.posted.values()].flat();
    this.gathering = [];
    this.posted.clear();
    this.port.unref();
    for (const { record, done } of neverPosted) {
      this.lose(record);
      done(false);
    }
    // The worker had these, and published their metrics on receipt.
    for (const { record, done } of unanswered) {
      this.onLost(record, this.closedBecause);
      done(false);
    }
  }

  /** A record the worker never had: lost, but its request metrics are still published. */
  private lose(record: Interaction): void {
    this.onLost(record, this.closedBecause!);
    this.publishMetrics?.(record);
  }
}

/** What the worker writes records with: lib's InteractionStore. */
export interface BatchRecordWriter {
  writeMany(records: ReadonlyArray<Interaction>): Promise<boolean[]>;
}

/**
 * The worker's side: writes each batch that arrives on `port` with `writer` and answers, per record,
 * whether it was stored. With `publishMetrics`, each record's request metrics are published first.
 */
export function serveRecordWritesOverPort(port: MessagePort, writer: BatchRecordWriter, publishMetrics?: (record: Interaction) => void): void {
  port.on('message', ({ id, records }: PortRecordWrite) => {
    if (publishMetrics) for (const record of records) publishMetrics(record);
    void writer.writeMany(records).then((written) => port.postMessage({ id, written } satisfies PortRecordWritten));
  });
}
