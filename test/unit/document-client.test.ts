import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../lib/config/index.ts';
import { createDocumentClient } from '../../lib/storage/dynamo.ts';

const names = (stack: { identify(): string[] }) => stack.identify().map((entry) => entry.split(' ')[0]);

describe('the document client', () => {
  it("has no SDK logger middleware (it filtered every input and output only to hand them to the no-op logger)", () => {
    expect(names(new DynamoDBClient({ region: 'us-east-1' }).middlewareStack)).toContain('loggerMiddleware');
    const db = createDocumentClient(loadConfig({ SLUICE_DYNAMODB_ENDPOINT: 'http://127.0.0.1:1' }));
    const stack = names(db.middlewareStack);
    expect(stack).not.toContain('loggerMiddleware');
    expect(stack).toContain('retryMiddleware');
    db.destroy();
  });
});
