import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createTables, startEmbeddedDynamoDb, type EmbeddedDynamoDb } from '../../bin/local/embedded-dynamodb.ts';
import { loadConfig, type Config } from '../../lib/config/index.ts';
import { createDocumentClient } from '../../lib/storage/dynamo.ts';

export interface EmbeddedStorage {
  dynamo: EmbeddedDynamoDb;
  config: Config;
  db: DynamoDBDocumentClient;
  /** Destroys the client, then closes the embedded DynamoDB. */
  close(): Promise<void>;
}

/**
 * An in-memory embedded DynamoDB with Sluice's tables and a document client on it: reached over a
 * MessagePort as the local server reaches it (`overPort`), or over HTTP on its TCP endpoint.
 */
export async function startEmbeddedStorage({ overPort = false } = {}): Promise<EmbeddedStorage> {
  const dynamo = await startEmbeddedDynamoDb(undefined);
  const config = loadConfig({ SLUICE_DYNAMODB_ENDPOINT: dynamo.endpoint });
  await createTables(dynamo.endpoint, config, overPort ? dynamo.connect() : undefined);
  const db = createDocumentClient(config, overPort ? dynamo.connect() : undefined);
  return {
    dynamo,
    config,
    db,
    async close() {
      db.destroy();
      await dynamo.close();
    },
  };
}

/** A logger that says nothing, for tests that do not look at what is logged. */
export const silentLogger = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
