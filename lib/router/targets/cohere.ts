import { cohereProvider } from '../../providers/cohere/provider.ts';
import { bearerAuthorization } from '../../providers/openai-style/provider.ts';
import type { ProviderAdapter } from '../../providers/types.ts';
import { cohereTranslator } from '../translate/cohere/translator.ts';
import { getJson } from './list-json.ts';
import { adapterAccess, prepareThrough } from './synthetic-request.ts';
import type { TranslatedTarget } from './types.ts';

/** Cohere's v2 chat through its own adapter's endpoint (a bearer key). */
export function cohereTarget(adapter: ProviderAdapter = cohereProvider): TranslatedTarget {
  const v2 = adapter.endpoints.find((endpoint) => endpoint.match('/v2/chat'))!;
  return {
    kind: 'translated',
    id: adapter.id,
    displayName: adapter.displayName,
    ...adapterAccess(adapter),
    translator: cohereTranslator,
    async call(input) {
      const prepared = await prepareThrough(v2, input, { method: 'POST', path: '/v2/chat', headers: { accept: 'application/json' }, body: input.body });
      return { url: prepared.url, headers: prepared.headers };
    },
    async listModels({ baseUrl, apiKey, upstream, signal }) {
      const json = await getJson(upstream, `${baseUrl}/v1/models?endpoint=chat&page_size=1000`, bearerAuthorization(apiKey), signal);
      const models = Array.isArray(json.models) ? (json.models as Array<{ name?: unknown }>) : [];
      return models.filter((m) => typeof m.name === 'string').map((m) => ({ id: m.name as string }));
    },
  };
}
