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
  { name: 'model-router', entry: 'functions/model-router.ts', routes: ['model-router'] },
];
