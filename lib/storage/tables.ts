/**
 * The one definition of Sluice's DynamoDB tables: the CDK stack builds them from this, and the
 * local server creates them in the embedded DynamoDB from the same objects.
 */
export type AttributeType = 'S' | 'N';

export interface KeyAttribute {
  name: string;
  type: AttributeType;
}

export interface TableDefinition {
  /** Key into Config.storage.tables and the stack's construct id. */
  key: 'profiles' | 'virtualKeys' | 'interactions' | 'usageCounters';
  /** Default physical name (overridable by SLUICE_*_TABLE). */
  defaultName: string;
  /** The variable that names the table to the handlers (lib/config reads it); the stack sets it. */
  environmentVariable: string;
  partitionKey: KeyAttribute;
  sortKey?: KeyAttribute;
  timeToLiveAttribute?: string;
  globalSecondaryIndexes?: ReadonlyArray<{ indexName: string; partitionKey: KeyAttribute; sortKey?: KeyAttribute }>;
}

export const profilesTable: TableDefinition = {
  key: 'profiles',
  defaultName: 'sluice-profiles',
  environmentVariable: 'SLUICE_PROFILES_TABLE',
  partitionKey: { name: 'id', type: 'S' },
};

export const virtualKeysTable: TableDefinition = {
  key: 'virtualKeys',
  defaultName: 'sluice-virtual-keys',
  environmentVariable: 'SLUICE_VIRTUAL_KEYS_TABLE',
  // `id` is the SHA-256 (hex) of a virtual key, or `oauth#<clientId>` for an OAuth client.
  partitionKey: { name: 'id', type: 'S' },
};

export const interactionsTable: TableDefinition = {
  key: 'interactions',
  defaultName: 'sluice-interactions',
  environmentVariable: 'SLUICE_INTERACTIONS_TABLE',
  partitionKey: { name: 'profileId', type: 'S' },
  // `<ISO time>#<interaction id>`: sorts by time within a profile.
  sortKey: { name: 'sk', type: 'S' },
  timeToLiveAttribute: 'expiresAt',
};

export const usageCountersTable: TableDefinition = {
  key: 'usageCounters',
  defaultName: 'sluice-usage-counters',
  environmentVariable: 'SLUICE_USAGE_COUNTERS_TABLE',
  // `<subject kind>#<subject id>#<limit id>#<window start>`: one counter per subject, limit and window.
  partitionKey: { name: 'id', type: 'S' },
  timeToLiveAttribute: 'expiresAt',
};

export const tableDefinitions: readonly TableDefinition[] = [profilesTable, virtualKeysTable, interactionsTable, usageCountersTable];
