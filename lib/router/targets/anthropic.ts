import { foundryEntraEnabled } from '../../providers/anthropic/foundry-entra.ts';
import { anthropicProvider, apiKeyHeaders } from '../../providers/anthropic/provider.ts';
import type { ProviderAdapter } from '../../providers/types.ts';
import { anthropicTranslator } from '../translate/anthropic/translator.ts';
import { getJson, secondsOf } from './list-json.ts';
import { adapterAccess, prepareThrough } from './synthetic-request.ts';
import type { TranslatedTarget } from './types.ts';

export const ANTHROPIC_VERSION = '2023-06-01';

/** Anthropic through its own adapter's endpoint: API key as x-api-key, or an Entra token for Claude on Foundry. */
export function anthropicTarget(adapter: ProviderAdapter = anthropicProvider): TranslatedTarget {
  const messages = adapter.endpoints.find((endpoint) => endpoint.operation === 'messages')!;
  return {
    kind: 'translated',
    id: adapter.id,
    displayName: adapter.displayName,
    ...adapterAccess(adapter),
    translator: anthropicTranslator,
    async call(input) {
      const prepared = await prepareThrough(messages, input, {
        method: 'POST',
        path: '/v1/messages',
        headers: { 'anthropic-version': ANTHROPIC_VERSION, accept: 'application/json' },
        body: input.body,
      });
      return { url: prepared.url, headers: prepared.headers };
    },
    async listModels({ config, baseUrl, apiKey, upstream, signal }) {
      // Claude on Foundry lists its models as Azure deployments, not through this API.
      if (foundryEntraEnabled(config)) return [];
      const json = await getJson(upstream, `${baseUrl}/v1/models?limit=1000`, { 'anthropic-version': ANTHROPIC_VERSION, ...apiKeyHeaders(apiKey) }, signal);
      const data = Array.isArray(json.data) ? (json.data as Array<{ id?: unknown; created_at?: unknown }>) : [];
      return data.filter((m) => typeof m.id === 'string').map((m) => ({ id: m.id as string, created: secondsOf(m.created_at) }));
    },
  };
}
