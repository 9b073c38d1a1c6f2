import { CreateTableCommand, DynamoDBClient, ResourceInUseException } from '@aws-sdk/client-dynamodb';
import type { HttpHandler } from '@smithy/core/protocols';
import { mkdirSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { MessageChannel, Worker } from 'node:worker_threads';
import type { Config } from '../../lib/config/index.ts';
import { tableDefinitions } from '../../lib/storage/tables.ts';
import { createTableInput } from '../../lib/storage/create-table-input.ts';
import type { Interaction } from '../../lib/interactions/interaction.ts';
import type { RecordWriter } from '../../lib/interactions/record-writer.ts';
import { MessagePortHttpHandler } from './message-port-http-handler.ts';
import { WorkerRecordWriter } from './worker-record-writer.ts';

export interface EmbeddedDynamoDb {
  endpoint: string;
  /**
   * A request handler for an SDK client that reaches this store over its own MessagePort, with
   * no HTTP in between; the client's destroy() closes it. The client still needs `endpoint` to sign.
   */
  connect(): HttpHandler;
  /**
   * A RecordWriter whose records the worker writes itself (see worker-record-writer.ts). With
   * `publishMetrics`, the worker also publishes each record's request metrics, off the gateway's
   * event loop; `publishMetrics` publishes those of a record the worker never had.
   */
  connectRecordWriter(onLost: (record: Interaction, reason: string) => void, publishMetrics?: (record: Interaction) => void): RecordWriter;
  close(): Promise<void>;
}

/**
 * dynalite (a DynamoDB-API server) in a worker thread of this process, on a loopback port. Data
 * lives under `<dataDir>/dynamodb` (LevelDB), or in memory when `directory` is undefined.
 */
export async function startEmbeddedDynamoDb(directory: string | undefined): Promise<EmbeddedDynamoDb> {
  if (directory) mkdirSync(directory, { recursive: true });
  keepDynaliteValidationOutOfMaglev();
  const worker = new Worker(new URL('./dynalite-worker.ts', import.meta.url), { workerData: { directory } });
  const port = await new Promise<number>((resolve, reject) => {
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the embedded DynamoDB stopped (exit code ${code})`)));
    worker.once('message', (message: { port: number }) => resolve(message.port));
  });
  worker.unref();
  let closed = false;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    connect() {
      if (closed) throw new Error('the embedded DynamoDB is closed');
      const { port1, port2 } = new MessageChannel();
      worker.postMessage({ connect: port2 }, [port2]);
      return new MessagePortHttpHandler(port1);
    },
    connectRecordWriter(onLost, publishMetrics) {
      if (closed) throw new Error('the embedded DynamoDB is closed');
      const { port1, port2 } = new MessageChannel();
      worker.postMessage({ records: port2, metrics: publishMetrics !== undefined }, [port2]);
      return new WorkerRecordWriter(port1, onLost, { publishMetrics });
    },
    async close() {
      closed = true;
      worker.postMessage('close');
      await new Promise<void>((resolve) => {
        worker.once('message', () => resolve());
        setTimeout(resolve, 2000).unref();
      });
      await worker.terminate();
    },
  };
}

/**
 * dynalite checks every attribute of every item with `validateAttributeValue`, which recurses into
 * maps (a record's `credential`, `policy`, `attempts`). On Node 24, V8's Maglev tier deoptimizes
 * that function on its map branch ("insufficient type feedback"), then optimizes it again, without
 * end: ≈45 times a second under load, each a fresh compile, ≈7% of the local server's CPU. Leaving
 * that one function to the other tiers (TurboFan optimizes it once) ends the loop. V8's flags are
 * the process's, and this one concerns only functions of that name; set before the worker starts.
 */
function keepDynaliteValidationOutOfMaglev(): void {
  setFlagsFromString('--maglev-filter=-validateAttributeValue');
}

/**
 * Creates each of Sluice's tables that is not there yet, from the definitions the stack uses,
 * through `requestHandler` when given (which the client destroys with itself).
 */
export async function createTables(endpoint: string, config: Config, requestHandler?: HttpHandler): Promise<void> {
  const client = new DynamoDBClient({
    endpoint,
    region: config.storage.region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    ...(requestHandler ? { requestHandler } : {}),
  });
  try {
    for (const definition of tableDefinitions) {
      try {
        await client.send(new CreateTableCommand(createTableInput(definition, config.storage.tables[definition.key])));
      } catch (error) {
        if (!(error instanceof ResourceInUseException)) throw error;
      }
    }
  } finally {
    client.destroy();
  }
}
