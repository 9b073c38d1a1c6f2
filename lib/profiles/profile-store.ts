import { DeleteCommand, GetCommand, PutCommand, ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DEFAULT_PROFILE_ID, defaultProfile, type Profile } from './profile.ts';

interface CacheEntry {
  profile: Profile | undefined;
  expiresAt: number;
}

/**
 * Profiles, read through a short in-memory cache so the request path rarely waits on DynamoDB.
 * The `default` profile exists even before anyone writes it.
 */
export class ProfileStore {
  private readonly cache = new Map<string, CacheEntry>();
  private readonly inflight = new Map<string, Promise<Profile | undefined>>();
  private readonly db: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly cacheTtlMs: number;

  constructor(db: DynamoDBDocumentClient, tableName: string, cacheTtlMs: number) {
    this.db = db;
    this.tableName = tableName;
    this.cacheTtlMs = cacheTtlMs;
  }

  async get(id: string): Promise<Profile | undefined> {
    const cached = this.cache.get(id);
    if (cached && cached.expiresAt > Date.now()) return cached.profile;
    let pending = this.inflight.get(id);
    if (!pending) {
      pending = this.load(id).finally(() => this.inflight.delete(id));
      this.inflight.set(id, pending);
    }
    return pending;
  }

  private async load(id: string): Promise<Profile | undefined> {
    const result = await this.db.send(new GetCommand({ TableName: this.tableName, Key: { id } }));
    const profile = (result.Item as Profile | undefined) ?? (id === DEFAULT_PROFILE_ID ? defaultProfile() : undefined);
    if (this.cacheTtlMs > 0) this.cache.set(id, { profile, expiresAt: Date.now() + this.cacheTtlMs });
    return profile;
  }

  async put(profile: Profile): Promise<void> {
    await this.db.send(new PutCommand({ TableName: this.tableName, Item: profile }));
    this.cache.delete(profile.id);
  }

  /** Writes a new profile; false when one with its id exists. */
  async create(profile: Profile): Promise<boolean> {
    try {
      await this.db.send(
        new PutCommand({ TableName: this.tableName, Item: profile, ConditionExpression: 'attribute_not_exists(id)' }),
      );
    } catch (error) {
      if ((error as { name?: string }).name === 'ConditionalCheckFailedException') return false;
      throw error;
    }
    this.cache.delete(profile.id);
    return true;
  }

  /** Every profile, by id (the admin API). */
  async list(): Promise<Profile[]> {
    const profiles: Profile[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.db.send(new ScanCommand({ TableName: this.tableName, ExclusiveStartKey: startKey }));
      profiles.push(...((page.Items ?? []) as Profile[]));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return profiles.sort((a, b) => a.id.localeCompare(b.id));
  }

  async delete(id: string): Promise<boolean> {
    const result = await this.db.send(new DeleteCommand({ TableName: this.tableName, Key: { id }, ReturnValues: 'ALL_OLD' }));
    this.cache.delete(id);
    return result.Attributes !== undefined;
  }

  /** Writes the default profile unless one is there already. */
  async ensureDefault(): Promise<void> {
    try {
      await this.db.send(
        new PutCommand({
          TableName: this.tableName,
          Item: defaultProfile(),
          ConditionExpression: 'attribute_not_exists(id)',
        }),
      );
    } catch (error) {
      if ((error as { name?: string }).name !== 'ConditionalCheckFailedException') throw error;
    }
  }

  invalidate(id?: string): void {
    if (id === undefined) this.cache.clear();
    else this.cache.delete(id);
  }
}
