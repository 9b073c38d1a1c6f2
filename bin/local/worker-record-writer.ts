import type { MessagePort } from 'node:worker_threads';
import type { Interaction } from '../../lib/interactions/interaction.ts';
import type { RecordWriter } from '../../lib/interactions/record-writer.ts';
import type { PortRecordWrite, PortRecordWritten } from './port-http-messages.ts';

/**
 * The local server's RecordWriter: each record is posted to the embedded DynamoDB's worker
 * thread, where lib's InteractionStore writes it through @aws-sdk/lib-dynamodb (batching, retries
 * and logging as on AWS). The SDK's per-call work then runs beside the gateway's event loop
 * instead of on it, between one response and the next request.
 */
export class WorkerRecordWriter implements RecordWriter {
  private readonly port: MessagePort;
  private readonly onLost: (record: Interaction, reason: string) => void;
  private readonly pending = new Map<number, { record: Interaction; done: (written: boolean) => void }>();
  private nextId = 0;
  private closedBecause: string | undefined;

  /** `onLost` hears of each record that could not be handed to the worker (it logs its own failures). */
  constructor(port: MessagePort, onLost: (record: Interaction, reason: string) => void) {
    this.port = port;
    this.onLost = onLost;
    port.on('message', ({ id, written }: PortRecordWritten) => this.settle(id, written));
    port.on('close', () => this.fail('the embedded DynamoDB closed its connection'));
    // The port holds the process open only while records are on their way.
    port.unref();
  }

  write(record: Interaction): Promise<boolean> {
    if (this.closedBecause) {
      this.onLost(record, this.closedBecause);
      return Promise.resolve(false);
    }
    return new Promise((done) => {
      const message: PortRecordWrite = { id: this.nextId++, record };
      if (this.pending.size === 0) this.port.ref();
      this.pending.set(message.id, { record, done });
      this.port.postMessage(message);
    });
  }

  close(): void {
    this.fail('the record writer was closed');
    this.port.close();
  }

  private settle(id: number, written: boolean): void {
    const entry = this.pending.get(id);
    if (!entry) return;
    this.pending.delete(id);
    if (this.pending.size === 0) this.port.unref();
    entry.done(written);
  }

  private fail(reason: string): void {
    this.closedBecause ??= reason;
    for (const [id, { record }] of [...this.pending]) {
      this.onLost(record, this.closedBecause);
      this.settle(id, false);
    }
  }
}

/** The worker's side: writes each record that arrives on `port` with `writer` and answers whether it was stored. */
export function serveRecordWritesOverPort(port: MessagePort, writer: RecordWriter): void {
  port.on('message', ({ id, record }: PortRecordWrite) => {
    void writer.write(record).then((written) => port.postMessage({ id, written } satisfies PortRecordWritten));
  });
}
