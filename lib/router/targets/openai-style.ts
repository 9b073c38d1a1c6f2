import { azureUrlForm } from '../../providers/azure/base-url.ts';
import { azureEntraTokens } from '../../providers/azure/entra-token.ts';
import { azureProvider } from '../../providers/azure/provider.ts';
import { azureSettings } from '../../providers/azure/settings.ts';
import { azureTarget } from '../../providers/azure/target.ts';
import { openAiCompatibleProviders } from '../../providers/openai-compatible/providers.ts';
import { headersFromSettings } from '../../providers/openai-compatible/setting-headers.ts';
import { openAiCompatibleTable } from '../../providers/openai-compatible/table.ts';
import { openAiProvider } from '../../providers/openai/provider.ts';
import { modelsEndpoint } from '../../providers/openai-style/models-endpoint.ts';
import { bearerTarget, type UpstreamTarget } from '../../providers/openai-style/upstream-target.ts';
import type { Endpoint, ProviderAdapter } from '../../providers/types.ts';
import { getJson } from './list-json.ts';
import { adapterAccess, prepareThrough } from './synthetic-request.ts';
import type { OpenAiStyleTarget } from './types.ts';

const byOperation = (adapter: ProviderAdapter, operation: string) => adapter.endpoints.find((e) => e.operation === operation);

/** An OpenAI-style provider as a router target: its own chat (and Responses) endpoints, and its `/models`. */
export function openAiStyleTarget(adapter: ProviderAdapter, models: Endpoint): OpenAiStyleTarget {
  return {
    kind: 'openai-style',
    id: adapter.id,
    displayName: adapter.displayName,
    ...adapterAccess(adapter),
    chat: byOperation(adapter, 'chat')!,
    responses: byOperation(adapter, 'responses'),
    models,
    async listModels(input) {
      const call = await prepareThrough(models, input, { method: 'GET', path: '/models', headers: {} });
      const json = await getJson(input.upstream, call.url, call.headers, input.signal);
      const data = Array.isArray(json.data) ? (json.data as Array<{ id?: unknown; created?: unknown }>) : [];
      return data
        .filter((m) => typeof m.id === 'string')
        .map((m) => ({ id: m.id as string, ...(typeof m.created === 'number' ? { created: m.created } : {}) }));
    },
  };
}

/** Azure's model list: `/models` on a Foundry v1 URL, `/models?api-version=…` on a resource URL. */
function azureModelsTarget(): UpstreamTarget {
  const target = azureTarget(azureEntraTokens);
  return {
    url: (input) =>
      azureUrlForm(input.baseUrl) === 'foundry-v1'
        ? `${input.baseUrl}/models`
        : `${input.baseUrl}/models?api-version=${encodeURIComponent(azureSettings(input.config).apiVersion)}`,
    headers: (input) => target.headers(input),
  };
}

export function openAiStyleTargets(): OpenAiStyleTarget[] {
  const compatible = openAiCompatibleProviders.map((adapter) => {
    const entry = openAiCompatibleTable.find((e) => e.id === adapter.id)!;
    const extraHeaders = entry.extraHeaders ? headersFromSettings(entry.extraHeaders) : undefined;
    return openAiStyleTarget(adapter, modelsEndpoint({ target: bearerTarget(extraHeaders) }));
  });
  return [
    openAiStyleTarget(openAiProvider, byOperation(openAiProvider, 'models')!),
    openAiStyleTarget(azureProvider, modelsEndpoint({ target: azureModelsTarget() })),
    ...compatible,
  ];
}
