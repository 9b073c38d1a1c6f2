import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, GetCommand, PutCommand, QueryCommand, TransactWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { HttpRequest } from '@smithy/core/protocols';
import { MessageChannel, Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EmbeddedDynamoDb } from '../../bin/local/embedded-dynamodb.ts';
import { MessagePortHttpHandler } from '../../bin/local/message-port-http-handler.ts';
import type { Config } from '../../lib/config/index.ts';
import { createDocumentClient } from '../../lib/storage/dynamo.ts';
import { startEmbeddedStorage, type EmbeddedStorage } from '../support/embedded-storage.ts';

/** A request as the SDK hands it to its request handler (here unsigned: dynalite answers it with an auth error). */
function rawRequest(target: string, body = '{}'): HttpRequest {
  return new HttpRequest({
    method: 'POST',
    protocol: 'http:',
    hostname: '127.0.0.1',
    path: '/',
    headers: { 'Content-Type': 'application/x-amz-json-1.0', 'X-Amz-Target': target },
    body,
  });
}

const decode = (body: unknown) => JSON.parse(new TextDecoder().decode(body as Uint8Array)) as { __type: string };

describe('the embedded DynamoDB reached over a MessagePort', () => {
  let storage: EmbeddedStorage;
  let dynamo: EmbeddedDynamoDb;
  let db: DynamoDBDocumentClient;
  let table: string;
  let config: Config;

  beforeAll(async () => {
    storage = await startEmbeddedStorage({ overPort: true });
    ({ dynamo, db, config } = storage);
    table = config.storage.tables.interactions;
  });

  afterAll(() => storage?.close());

  it('puts and gets an item through the document client', async () => {
    const item = { profileId: 'p-get', sk: '2025-01-01T00:00:00Z#1', model: 'gpt-4o', tokens: 42, tags: ['a', 'b'], nested: { ok: true } };
    await db.send(new PutCommand({ TableName: table, Item: item }));
    const { Item } = await db.send(new GetCommand({ TableName: table, Key: { profileId: 'p-get', sk: item.sk } }));
    expect(Item).toEqual(item);
  });

  it('queries a partition in sort-key order', async () => {
    for (const sk of ['c', 'a', 'b']) await db.send(new PutCommand({ TableName: table, Item: { profileId: 'p-query', sk } }));
    const { Items } = await db.send(
      new QueryCommand({ TableName: table, KeyConditionExpression: 'profileId = :p', ExpressionAttributeValues: { ':p': 'p-query' }, ScanIndexForward: false }),
    );
    expect(Items?.map((item) => item.sk)).toEqual(['c', 'b', 'a']);
  });

  it('writes a batch', async () => {
    const puts = Array.from({ length: 25 }, (_, i) => ({ PutRequest: { Item: { profileId: 'p-batch', sk: String(i).padStart(2, '0') } } }));
    const { UnprocessedItems } = await db.send(new BatchWriteCommand({ RequestItems: { [table]: puts } }));
    expect(UnprocessedItems).toEqual({});
    const { Count } = await db.send(
      new QueryCommand({ TableName: table, KeyConditionExpression: 'profileId = :p', ExpressionAttributeValues: { ':p': 'p-batch' }, Select: 'COUNT' }),
    );
    expect(Count).toBe(25);
  });

  it("surfaces a failed condition as the SDK's ConditionalCheckFailedException", async () => {
    const item = { profileId: 'p-condition', sk: 'only' };
    const putIfAbsent = new PutCommand({ TableName: table, Item: item, ConditionExpression: 'attribute_not_exists(profileId)' });
    await db.send(putIfAbsent);
    const failure = await db.send(putIfAbsent).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ConditionalCheckFailedException);
  });

  it('carries an item of about 400 KB both ways', async () => {
    const payload = 'x'.repeat(395_000);
    await db.send(new PutCommand({ TableName: table, Item: { profileId: 'p-large', sk: 'big', payload } }));
    const { Item } = await db.send(new GetCommand({ TableName: table, Key: { profileId: 'p-large', sk: 'big' } }));
    expect(Item?.payload).toBe(payload);
  });

  it('reports an operation dynalite does not implement as the service error it returns', async () => {
    const failure = await db
      .send(new TransactWriteCommand({ TransactItems: [{ Put: { TableName: table, Item: { profileId: 'p-tx', sk: '1' } } }] }))
      .catch((error: unknown) => error);
    expect(failure).toMatchObject({ name: 'UnknownOperationException', $metadata: { httpStatusCode: 400 } });
  });

  it('answers a raw request with its status, lowercased headers and a byte body', async () => {
    const handler = dynamo.connect();
    try {
      const { response } = await handler.handle(rawRequest('DynamoDB_20120810.ListTables'));
      expect(response.statusCode).toBe(400);
      expect(response.headers['content-type']).toBe('application/x-amz-json-1.0');
      expect(response.headers['x-amzn-requestid']).toMatch(/^[0-9A-Z]{52}$/);
      expect(response.body).toBeInstanceOf(Uint8Array);
      expect(decode(response.body).__type).toBe('com.amazon.coral.service#MissingAuthenticationTokenException');
      const unknown = await handler.handle(rawRequest('DynamoDB_20120810.Nope'));
      expect(decode(unknown.response.body).__type).toBe('com.amazon.coral.service#UnknownOperationException');
      // The query string reaches dynalite: signed both ways at once is refused.
      const both = rawRequest('DynamoDB_20120810.ListTables');
      both.query = { 'X-Amz-Algorithm': 'AWS4-HMAC-SHA256' };
      both.headers.authorization = 'AWS4-HMAC-SHA256 Credential=a/b/c/d/e, SignedHeaders=host, Signature=f';
      const refused = await handler.handle(both);
      expect(decode(refused.response.body).__type).toBe('com.amazon.coral.service#InvalidSignatureException');
    } finally {
      handler.destroy?.();
    }
  });

  it('still serves HTTP clients on its endpoint, over the same data', async () => {
    await db.send(new PutCommand({ TableName: table, Item: { profileId: 'p-both', sk: 'port' } }));
    const overHttp = createDocumentClient(config);
    try {
      const { Item } = await overHttp.send(new GetCommand({ TableName: table, Key: { profileId: 'p-both', sk: 'port' } }));
      expect(Item).toEqual({ profileId: 'p-both', sk: 'port' });
    } finally {
      overHttp.destroy();
    }
  });

  it('rejects a request whose signal is already aborted, without sending it', async () => {
    const handler = dynamo.connect();
    try {
      const controller = new AbortController();
      controller.abort();
      await expect(handler.handle(rawRequest('DynamoDB_20120810.ListTables'), { abortSignal: controller.signal })).rejects.toMatchObject({
        name: 'AbortError',
      });
    } finally {
      handler.destroy?.();
    }
  });

  it('rejects a request aborted in flight, ignores its late answer, and serves the next one', async () => {
    const handler = dynamo.connect();
    try {
      const controller = new AbortController();
      const aborted = handler.handle(rawRequest('DynamoDB_20120810.ListTables'), { abortSignal: controller.signal });
      controller.abort(new Error('caller gave up'));
      await expect(aborted).rejects.toMatchObject({ name: 'AbortError', cause: { message: 'caller gave up' } });
      const { response } = await handler.handle(rawRequest('DynamoDB_20120810.ListTables'));
      expect(response.statusCode).toBe(400);
    } finally {
      handler.destroy?.();
    }
  });

  it('rejects requests once destroyed', async () => {
    const handler = dynamo.connect();
    handler.destroy?.();
    await expect(handler.handle(rawRequest('DynamoDB_20120810.ListTables'))).rejects.toThrow(/destroyed/);
  });
});

describe('when the store goes away', () => {
  it('rejects the requests pending when the worker dies', async () => {
    // A worker that takes the connection and dies on the first request, leaving it unanswered.
    const worker = new Worker(
      `require('node:worker_threads').parentPort.on('message', ({ connect }) => connect.on('message', () => { throw new Error('crashed'); }));`,
      { eval: true },
    );
    const exited = new Promise((resolve) => worker.once('exit', resolve));
    worker.once('error', () => {});
    const { port1, port2 } = new MessageChannel();
    worker.postMessage({ connect: port2 }, [port2]);
    const handler = new MessagePortHttpHandler(port1);
    const pending = [handler.handle(rawRequest('DynamoDB_20120810.ListTables')), handler.handle(rawRequest('DynamoDB_20120810.Scan'))];
    for (const request of pending) await expect(request).rejects.toThrow('the embedded DynamoDB closed its connection');
    await exited;
    await expect(handler.handle(rawRequest('DynamoDB_20120810.ListTables'))).rejects.toThrow('closed its connection');
  });

  it('settles every request in flight when the embedded DynamoDB closes', async () => {
    const { dynamo, config, db } = await startEmbeddedStorage({ overPort: true });
    const writes = Array.from({ length: 20 }, (_, i) =>
      db.send(new PutCommand({ TableName: config.storage.tables.interactions, Item: { profileId: 'p-close', sk: String(i), payload: 'y'.repeat(100_000) } })),
    );
    const settled = Promise.allSettled(writes);
    await dynamo.close();
    const outcomes = await settled;
    for (const outcome of outcomes) {
      if (outcome.status === 'rejected') expect(String(outcome.reason)).toContain('the embedded DynamoDB closed its connection');
    }
    await expect(db.send(new GetCommand({ TableName: config.storage.tables.interactions, Key: { profileId: 'p-close', sk: '0' } }))).rejects.toThrow(
      'closed its connection',
    );
    db.destroy();
  });
});
