import { openAiCompatibleIds } from './providers/openai-compatible/table.ts';

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
}

export const proxyFunctions: readonly FunctionSpec[] = [
  { name: 'openai', entry: 'functions/openai.ts', routes: ['openai'] },
  { name: 'azure', entry: 'functions/azure.ts', routes: ['azure'] },
  { name: 'openai-compatible', entry: 'functions/openai-compatible.ts', routes: openAiCompatibleIds },
  { name: 'anthropic', entry: 'functions/anthropic.ts', routes: ['anthropic'] },
  { name: 'cohere', entry: 'functions/cohere.ts', routes: ['cohere'] },
  { name: 'gemini', entry: 'functions/gemini.ts', routes: ['gemini'] },
  { name: 'bedrock', entry: 'functions/bedrock.ts', routes: ['bedrock'] },
];

/** A function that serves paths outside `/v1/` (the admin API, the OAuth token endpoint). */
export interface PathFunctionSpec {
  name: string;
  entry: string;
  /** The path prefixes it serves (the local server routes by these). */
  pathPrefixes: readonly string[];
  /** The Function URL's auth type on AWS. */
  urlAuth: 'AWS_IAM' | 'NONE';
}

/** The admin API: IAM-authenticated on AWS; locally behind the admin token in SLUICE_DATA_DIR. */
export const adminFunction: PathFunctionSpec = {
  name: 'admin',
  entry: 'functions/admin.ts',
  pathPrefixes: ['/admin/'],
  urlAuth: 'AWS_IAM',
};

/** The OAuth 2.0 token endpoint (client credentials): public, clients authenticate with their secret. */
export const oauthFunction: PathFunctionSpec = {
  name: 'oauth',
  entry: 'functions/oauth.ts',
  pathPrefixes: ['/oauth/'],
  urlAuth: 'NONE',
};
