import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  ScanCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { SluiceError } from '../errors/sluice-error.ts';
import {
  oauthClientItemId,
  type AccessRecord,
  type OAuthClientRecord,
  type VirtualKeyRecord,
} from './access-records.ts';

interface CacheEntry {
  record: AccessRecord;
  expiresAt: number;
}

export interface AccessStoreOptions {
  cacheTtlMs: number;
  lastUsedIntervalMs: number;
}

const isConditionFailure = (error: unknown) =>
  (error as { name?: string } | undefined)?.name === 'ConditionalCheckFailedException';

/**
 * The `virtual-keys` table: virtual keys (by the SHA-256 of the key) and OAuth clients
 * (`oauth#<clientId>`). Reads on the request path go through a short cache; writes made in this
 * process drop the cached record at once, other processes see them within the cache's lifetime.
 */
export class AccessStore {
  private readonly db: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly options: AccessStoreOptions;
  private readonly cache = new Map<string, CacheEntry>();
  private readonly touchedAt = new Map<string, number>();

  constructor(db: DynamoDBDocumentClient, tableName: string, options: AccessStoreOptions) {
    this.db = db;
    this.tableName = tableName;
    this.options = options;
  }

  async virtualKey(hash: string): Promise<VirtualKeyRecord | undefined> {
    const record = await this.cached(hash);
    return record?.kind === 'virtual-key' ? record : undefined;
  }

  async oauthClient(clientId: string): Promise<OAuthClientRecord | undefined> {
    const record = await this.cached(oauthClientItemId(clientId));
    return record?.kind === 'oauth-client' ? record : undefined;
  }

  /** Reads past the cache (the admin API). */
  async read(id: string): Promise<AccessRecord | undefined> {
    const result = await this.db.send(new GetCommand({ TableName: this.tableName, Key: { id }, ConsistentRead: true }));
    return result.Item as AccessRecord | undefined;
  }

  private async cached(id: string): Promise<AccessRecord | undefined> {
    const hit = this.cache.get(id);
    if (hit && hit.expiresAt > Date.now()) return hit.record;
    const result = await this.db.send(new GetCommand({ TableName: this.tableName, Key: { id } }));
    const record = result.Item as AccessRecord | undefined;
    // Misses are not cached: a key created a moment ago must work at once.
    if (record && this.options.cacheTtlMs > 0) this.cache.set(id, { record, expiresAt: Date.now() + this.options.cacheTtlMs });
    else this.cache.delete(id);
    return record;
  }

  /** Writes a new record; a 409 when the id is taken. */
  async create(record: AccessRecord): Promise<void> {
    try {
      await this.db.send(
        new PutCommand({ TableName: this.tableName, Item: record, ConditionExpression: 'attribute_not_exists(id)' }),
      );
    } catch (error) {
      if (isConditionFailure(error)) {
        throw new SluiceError('bad_request', 'A credential with this id exists already.', { status: 409, code: 'already_exists' });
      }
      throw error;
    }
  }

  /** Sets and removes attributes of an existing record; undefined when there is none. */
  async update(id: string, set: Record<string, unknown>, remove: readonly string[] = []): Promise<AccessRecord | undefined> {
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = {};
    const assignments = Object.entries(set).map(([name, value], i) => {
      names[`#s${i}`] = name;
      values[`:s${i}`] = value;
      return `#s${i} = :s${i}`;
    });
    const removals = remove.map((name, i) => {
      names[`#r${i}`] = name;
      return `#r${i}`;
    });
    const expression = [
      assignments.length ? `SET ${assignments.join(', ')}` : '',
      removals.length ? `REMOVE ${removals.join(', ')}` : '',
    ]
      .filter(Boolean)
      .join(' ');
    try {
      const result = await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { id },
          UpdateExpression: expression,
          ConditionExpression: 'attribute_exists(id)',
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: Object.keys(values).length ? values : undefined,
          ReturnValues: 'ALL_NEW',
        }),
      );
      return result.Attributes as AccessRecord;
    } catch (error) {
      if (isConditionFailure(error)) return undefined;
      throw error;
    } finally {
      this.cache.delete(id);
    }
  }

  async delete(id: string): Promise<boolean> {
    const result = await this.db.send(new DeleteCommand({ TableName: this.tableName, Key: { id }, ReturnValues: 'ALL_OLD' }));
    this.cache.delete(id);
    return result.Attributes !== undefined;
  }

  /** Every record of a kind (the admin API; the table holds one item per credential). */
  async list<K extends AccessRecord['kind']>(kind: K): Promise<Array<Extract<AccessRecord, { kind: K }>>> {
    const items: Array<Extract<AccessRecord, { kind: K }>> = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(
        new ScanCommand({
          TableName: this.tableName,
          FilterExpression: '#kind = :kind',
          ExpressionAttributeNames: { '#kind': 'kind' },
          ExpressionAttributeValues: { ':kind': kind },
          ExclusiveStartKey: startKey,
        }),
      );
      items.push(...((page.Items ?? []) as Array<Extract<AccessRecord, { kind: K }>>));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return items.sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  }

  /**
   * Records that a credential was used, without a write per request: at most once per interval per
   * credential in this process, and the conditional write skips it when another process did it lately.
   */
  async touch(record: AccessRecord, now: number = Date.now()): Promise<void> {
    const interval = this.options.lastUsedIntervalMs;
    const stored = record.lastUsedAt ? Date.parse(record.lastUsedAt) : undefined;
    const last = Math.max(this.touchedAt.get(record.id) ?? -Infinity, stored ?? -Infinity);
    if (now - last < interval) return;
    if (this.touchedAt.size >= 10_000) this.touchedAt.clear();
    this.touchedAt.set(record.id, now);
    try {
      await this.db.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { id: record.id },
          UpdateExpression: 'SET lastUsedAt = :now',
          ConditionExpression: 'attribute_exists(id) AND (attribute_not_exists(lastUsedAt) OR lastUsedAt < :threshold)',
          ExpressionAttributeValues: {
            ':now': new Date(now).toISOString(),
            ':threshold': new Date(now - interval).toISOString(),
          },
        }),
      );
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }
}
