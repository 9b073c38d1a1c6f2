import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { HttpHandler } from '@smithy/core/protocols';
import { Agent } from 'node:http';
import type { Config } from '../config/index.ts';

/** What the DynamoDB client sends its serialised, signed requests through (the SDK's `requestHandler`). */
export type StorageRequestHandler = HttpHandler;

/**
 * The document client lib/ uses for every table, on AWS and against the embedded DynamoDB alike.
 * Locally the endpoint is set and static credentials satisfy the signer. `requestHandler`, when the
 * wiring supplies one, replaces the SDK's HTTP handler; the client destroys it with itself.
 */
export function createDocumentClient(config: Config, requestHandler?: StorageRequestHandler): DynamoDBDocumentClient {
  const local = config.storage.endpoint !== undefined;
  const handler = requestHandler ?? (local ? new NodeHttpHandler({ httpAgent: new Agent({ keepAlive: true }) }) : undefined);
  const client = new DynamoDBClient({
    region: config.storage.region,
    ...(local
      ? {
          endpoint: config.storage.endpoint,
          credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
        }
      : {}),
    ...(handler ? { requestHandler: handler } : {}),
    maxAttempts: 3,
  });
  // No SDK logger is configured, yet its middleware still copies every input and output through the
  // schema's sensitive-field filter on each call to hand them to the no-op logger.
  client.middlewareStack.remove('loggerMiddleware');
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
}
