import { openAiCompatibleIds } from './providers/openai-compatible/table.ts';
import type { TableDefinition } from './storage/tables.ts';

/** A DynamoDB data-plane action a function may call on a table (IAM `dynamodb:<action>`). */
export type TableAction =
  | 'GetItem'
  | 'BatchGetItem'
  | 'Query'
  | 'Scan'
  | 'PutItem'
  | 'UpdateItem'
  | 'DeleteItem'
  | 'BatchWriteItem'
  | 'ConditionCheckItem';

/** What a function may do on each table; a table it does not name it cannot touch. */
export type TableAccess = Partial<Readonly<Record<TableDefinition['key'], readonly TableAction[]>>>;

/**
 * The Lambda functions Sluice deploys, one per route family. The CDK stack builds a function for
 * each entry; the local server serves each entry's exported handler under the same paths.
 */
export interface FunctionSpec {
  /** Construct id and function name suffix. */
  name: string;
  /** The handler module, relative to the project root. */
  entry: string;
  /** Route segments it serves: `/v1/<segment>/…`. */
  routes: readonly string[];
  /** Path prefixes it serves outside `/v1/` (the admin API, the OAuth token endpoint). */
  pathPrefixes?: readonly string[];
  /** DynamoDB access; defaults to `proxyTableAccess`. */
  tableAccess?: TableAccess;
  /** Providers whose keys (`sluice/provider-keys/<provider>/*`) it may read; defaults to its routes. */
  providerKeysOf?: readonly string[];
  /** Calls Bedrock with its own role (SigV4): Converse, ConverseStream, InvokeModel*, ListInferenceProfiles. */
  needsBedrockAccess?: boolean;
  /** Reads the OAuth signing key (`sluice/oauth/signing-key`), to verify Sluice-issued access tokens. */
  readsOAuthSigningKey?: boolean;
  /** Creates, updates and deletes provider-key secrets (`sluice/provider-keys/*`). */
  managesProviderKeys?: boolean;
  /**
   * Who may call its function URL: `NONE` (default) for proxy routes, whose clients (OpenAI-style SDKs)
   * cannot sign requests with SigV4 and which authenticate callers inside the handler; `AWS_IAM` for admin.
   */
  urlAuth?: 'NONE' | 'AWS_IAM';
}

/**
 * What a proxy function does with the tables: reads profiles and records the tools it sees on
 * them, reads virtual keys and marks their last use, and writes one interaction record per request.
 */
export const proxyTableAccess: TableAccess = {
  profiles: ['GetItem', 'UpdateItem'],
  virtualKeys: ['GetItem', 'UpdateItem'],
  interactions: ['PutItem', 'BatchWriteItem'],
  usageCounters: ['UpdateItem'],
};

/** Every proxy function verifies Sluice-issued OAuth access tokens, so it reads the signing key. */
const proxy = (name: string, routes: readonly string[]): FunctionSpec => ({
  name,
  entry: `functions/${name}.ts`,
  routes,
  readsOAuthSigningKey: true,
});

export const proxyFunctions: readonly FunctionSpec[] = [
  proxy('openai', ['openai']),
  proxy('azure', ['azure']),
  proxy('openai-compatible', openAiCompatibleIds),
  proxy('anthropic', ['anthropic']),
  proxy('cohere', ['cohere']),
  proxy('gemini', ['gemini']),
  { ...proxy('bedrock', ['bedrock']), needsBedrockAccess: true },
  // Reaches every provider: reads every provider's keys, and calls Bedrock with its role in IAM mode.
  {
    ...proxy('model-router', ['model-router']),
    providerKeysOf: ['openai', 'azure', ...openAiCompatibleIds, 'anthropic', 'cohere', 'gemini', 'bedrock'],
    needsBedrockAccess: true,
  },
];

/**
 * The admin API: its own function behind an IAM-authenticated URL. It manages profiles, virtual keys
 * and OAuth clients, lists interactions, and creates, updates and deletes provider-key secrets.
 */
export const adminFunction: FunctionSpec = {
  name: 'admin',
  entry: 'functions/admin.ts',
  routes: [],
  pathPrefixes: ['/admin/'],
  tableAccess: {
    profiles: ['GetItem', 'Scan', 'PutItem', 'UpdateItem', 'DeleteItem'],
    virtualKeys: ['GetItem', 'Scan', 'PutItem', 'UpdateItem', 'DeleteItem'],
    interactions: ['Query'],
  },
  readsOAuthSigningKey: true,
  managesProviderKeys: true,
  urlAuth: 'AWS_IAM',
};

/** The OAuth 2.0 token endpoint (client credentials): a public URL, clients authenticate with their secret. */
export const oauthFunction: FunctionSpec = {
  name: 'oauth',
  entry: 'functions/oauth.ts',
  routes: [],
  pathPrefixes: ['/oauth/'],
  tableAccess: { virtualKeys: ['GetItem', 'UpdateItem'] },
  readsOAuthSigningKey: true,
  providerKeysOf: [],
};

/** The functions that serve paths outside `/v1/`, in the order the local server tries them. */
export const pathFunctions: readonly FunctionSpec[] = [adminFunction, oauthFunction];
