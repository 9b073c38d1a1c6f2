import { CreateTableCommand, DynamoDBClient, ResourceInUseException } from '@aws-sdk/client-dynamodb';
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import dynalite from 'dynalite';
import type { Config } from '../../lib/config/index.ts';
import { tableDefinitions } from '../../lib/storage/tables.ts';
import { createTableInput } from '../../lib/storage/create-table-input.ts';

export interface EmbeddedDynamoDb {
  endpoint: string;
  close(): Promise<void>;
}

/**
 * dynalite (a DynamoDB-API server) in this process, on a loopback port. Data lives under
 * `<dataDir>/dynamodb` (LevelDB), or in memory when `directory` is undefined.
 */
export async function startEmbeddedDynamoDb(directory: string | undefined): Promise<EmbeddedDynamoDb> {
  if (directory) mkdirSync(directory, { recursive: true });
  const server: Server = dynalite({ path: directory, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections?.();
      }),
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
