import { BatchWriteCommand, PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Logger } from '../observability/logger.ts';
import type { Interaction } from './interaction.ts';
import { BATCH_WRITE_LIMIT, type PendingRecord } from './record-writer.ts';

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Write calls in flight at once; records that end meanwhile wait and go together in the next call. */
const CALLS_IN_FLIGHT = 2;

const keyOf = (item: { profileId?: unknown; sk?: unknown }) => `${String(item.profileId)}\u0000${String(item.sk)}`;

export class InteractionStore {
  private readonly db: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly attempts: number;
  private readonly logger: Logger;
  private readonly queue: PendingRecord[] = [];
  private callsInFlight = 0;

  constructor(db: DynamoDBDocumentClient, tableName: string, attempts: number, logger: Logger) {
    this.db = db;
    this.tableName = tableName;
    this.attempts = attempts;
    this.logger = logger;
  }

  /**
   * Writes a record, retrying with backoff; resolves once it is stored (or given up on). Never
   * throws: a lost record is logged, not raised.
   *
   * A record goes out at once in its own PutItem while fewer than CALLS_IN_FLIGHT writes are under
   * way, which is always so on Lambda with one request per execution environment. When one process
   * answers many requests at once (the local server), the records that end while those calls are
   * busy go together in one BatchWriteItem: a write call costs far more than a record in it.
   */
  write(record: Interaction): Promise<boolean> {
    return new Promise((done) => {
      this.queue.push({ record, done });
      this.pump();
    });
  }

  /** Writes records handed over together, in BatchWriteItem calls of up to 25: one answer per record, in order. */
  writeMany(records: ReadonlyArray<Interaction>): Promise<boolean[]> {
    const answers = records.map((record) => new Promise<boolean>((done) => this.queue.push({ record, done })));
    this.pump();
    return Promise.all(answers);
  }

  private pump(): void {
    while (this.callsInFlight < CALLS_IN_FLIGHT && this.queue.length > 0) {
      const batch = this.queue.splice(0, BATCH_WRITE_LIMIT);
      this.callsInFlight++;
      void this.writeBatch(batch).finally(() => {
        this.callsInFlight--;
        this.pump();
      });
    }
  }

  private async writeBatch(batch: PendingRecord[]): Promise<void> {
    if (batch.length === 1) {
      batch[0]!.done(await this.put(batch[0]!.record));
      return;
    }
    let waiting = batch;
    for (let attempt = 1; attempt <= this.attempts; attempt++) {
      let unprocessed: ReadonlyArray<{ PutRequest?: { Item?: Record<string, unknown> } }>;
      try {
        const result = await this.db.send(
          new BatchWriteCommand({
            RequestItems: { [this.tableName]: waiting.map(({ record }) => ({ PutRequest: { Item: record } })) },
          }),
        );
        unprocessed = result.UnprocessedItems?.[this.tableName] ?? [];
      } catch {
        // A batch refused as a whole (one record too large, say) must not take the others with it:
        // each record is then written on its own, with its own retries.
        await Promise.all(waiting.map(async ({ record, done }) => done(await this.put(record))));
        return;
      }
      const left = new Set(unprocessed.map((request) => keyOf(request.PutRequest?.Item ?? {})));
      for (const pending of waiting) if (!left.has(keyOf(pending.record))) pending.done(true);
      waiting = waiting.filter((pending) => left.has(keyOf(pending.record)));
      if (waiting.length === 0) return;
      const last = attempt === this.attempts;
      for (const { record } of waiting) this.logFailure(record, attempt, last, 'not processed by BatchWriteItem (throttled)');
      if (!last) await delay(25 * 2 ** attempt);
    }
    for (const { done } of waiting) done(false);
  }

  private async put(record: Interaction): Promise<boolean> {
    for (let attempt = 1; attempt <= this.attempts; attempt++) {
      try {
        await this.db.send(new PutCommand({ TableName: this.tableName, Item: record }));
        return true;
      } catch (error) {
        const last = attempt === this.attempts;
        this.logFailure(record, attempt, last, error instanceof Error ? error.message : String(error));
        if (!last) await delay(25 * 2 ** attempt);
      }
    }
    return false;
  }

  private logFailure(record: Interaction, attempt: number, last: boolean, error: string): void {
    this.logger[last ? 'error' : 'warn']('interaction record write failed', {
      interactionId: record.id,
      profileId: record.profileId,
      attempt,
      error,
    });
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
