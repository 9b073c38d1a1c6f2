import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { Agent } from 'node:http';
import type { Config } from '../config/index.ts';

/**
 * The document client lib/ uses for every table, on AWS and against the embedded DynamoDB alike.
 * Locally the endpoint is set and static credentials satisfy the signer.
 */
export function createDocumentClient(config: Config): DynamoDBDocumentClient {
  const local = config.storage.endpoint !== undefined;
  const client = new DynamoDBClient({
    region: config.storage.region,
    ...(local
      ? {
          endpoint: config.storage.endpoint,
          credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
          requestHandler: new NodeHttpHandler({ httpAgent: new Agent({ keepAlive: true }) }),
        }
      : {}),
    maxAttempts: 3,
  });
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
}
