import { PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Logger } from '../observability/logger.ts';
import type { Interaction } from './interaction.ts';

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class InteractionStore {
  private readonly db: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly attempts: number;
  private readonly logger: Logger;

  constructor(db: DynamoDBDocumentClient, tableName: string, attempts: number, logger: Logger) {
    this.db = db;
    this.tableName = tableName;
    this.attempts = attempts;
    this.logger = logger;
  }

  /** Writes a record, retrying with backoff. Never throws: a lost record is logged, not raised. */
  async write(record: Interaction): Promise<boolean> {
    for (let attempt = 1; attempt <= this.attempts; attempt++) {
      try {
        await this.db.send(new PutCommand({ TableName: this.tableName, Item: record }));
        return true;
      } catch (error) {
        const last = attempt === this.attempts;
        this.logger[last ? 'error' : 'warn']('interaction record write failed', {
          interactionId: record.id,
          profileId: record.profileId,
          attempt,
          error: error instanceof Error ? error.message : String(error),
        });
        if (!last) await delay(25 * 2 ** attempt);
      }
    }
    return false;
  }

  /**
   * Every record of a profile between two ISO times (`to` inclusive, as a prefix: `2025-01-31`
   * covers that whole day), oldest first, page by page; `fields` narrows what DynamoDB reads back.
   */
  async *scan(
    profileId: string,
    options: { from?: string; to?: string; fields?: readonly string[] } = {},
  ): AsyncGenerator<Interaction> {
    const names = options.fields?.length
      ? Object.fromEntries(options.fields.map((field, i) => [`#f${i}`, field]))
      : undefined;
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'profileId = :p AND sk BETWEEN :from AND :to',
          ExpressionAttributeValues: { ':p': profileId, ':from': options.from ?? '0000', ':to': `${options.to ?? '9999'}\uffff` },
          ProjectionExpression: names ? Object.keys(names).join(', ') : undefined,
          ExpressionAttributeNames: names,
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) yield item as Interaction;
      startKey = page.LastEvaluatedKey;
    } while (startKey);
  }

  /** Records of a profile, newest first, optionally between two ISO times. */
  async list(
    profileId: string,
    options: { from?: string; to?: string; limit?: number } = {},
  ): Promise<Interaction[]> {
    const from = options.from ?? '0000';
    const to = `${options.to ?? '9999'}\uffff`;
    const items: Interaction[] = [];
    let startKey: Record<string, unknown> | undefined;
    const limit = options.limit ?? 100;
    do {
      const page = await this.db.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'profileId = :p AND sk BETWEEN :from AND :to',
          ExpressionAttributeValues: { ':p': profileId, ':from': from, ':to': to },
          ScanIndexForward: false,
          Limit: limit - items.length,
          ExclusiveStartKey: startKey,
        }),
      );
      items.push(...((page.Items ?? []) as Interaction[]));
      startKey = page.LastEvaluatedKey;
    } while (startKey && items.length < limit);
    return items;
  }
}
