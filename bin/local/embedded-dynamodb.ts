import { CreateTableCommand, DynamoDBClient, ResourceInUseException } from '@aws-sdk/client-dynamodb';
import { mkdirSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import type { Config } from '../../lib/config/index.ts';
import { tableDefinitions } from '../../lib/storage/tables.ts';
import { createTableInput } from '../../lib/storage/create-table-input.ts';

export interface EmbeddedDynamoDb {
  endpoint: string;
  close(): Promise<void>;
}

/**
 * dynalite (a DynamoDB-API server) in a worker thread of this process, on a loopback port. Data
 * lives under `<dataDir>/dynamodb` (LevelDB), or in memory when `directory` is undefined.
 */
export async function startEmbeddedDynamoDb(directory: string | undefined): Promise<EmbeddedDynamoDb> {
  if (directory) mkdirSync(directory, { recursive: true });
  const worker = new Worker(new URL('./dynalite-worker.ts', import.meta.url), { workerData: { directory } });
  const port = await new Promise<number>((resolve, reject) => {
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the embedded DynamoDB stopped (exit code ${code})`)));
    worker.once('message', (message: { port: number }) => resolve(message.port));
  });
  worker.unref();
  return {
    endpoint: `http://127.0.0.1:${port}`,
    async close() {
      worker.postMessage('close');
      await new Promise<void>((resolve) => {
        worker.once('message', () => resolve());
        setTimeout(resolve, 2000).unref();
      });
      await worker.terminate();
    },
  };
}

/** Creates each of Sluice's tables that is not there yet, from the definitions the stack uses. */
export async function createTables(endpoint: string, config: Config): Promise<void> {
  const client = new DynamoDBClient({
    endpoint,
    region: config.storage.region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
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
