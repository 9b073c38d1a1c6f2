import type { Config } from '../config/index.ts';
import { wholeBodyObserver } from '../providers/shared/whole-body-observer.ts';
import { exactPath, type Endpoint } from '../providers/types.ts';
import type { Runtime } from '../runtime.ts';
import { routerSettings } from './settings.ts';
import type { ListInput, ListedModel, RouterTarget } from './targets/types.ts';
import { bufferedResponse } from './upstream-errors.ts';

/** How long one provider's list may take before /models answers without it. */
const LIST_TIMEOUT_MS = 10_000;

/** A provider the router can reach on the server's credentials (a key set, or none needed). */
function reachable(target: RouterTarget, config: Config): { baseUrl: string; apiKey: string | undefined } | undefined {
  const baseUrl = target.baseUrl(config);
  if (!baseUrl) return undefined;
  const apiKey = target.defaultKey(config);
  if (!apiKey && target.keyRequired(config)) return undefined;
  return { baseUrl, apiKey };
}

/**
 * `GET …/models`: the models of every provider the router can reach, as OpenAI model objects with
 * provider-qualified ids. Each provider's list is asked for in parallel (OpenAI-style providers'
 * `/models`, Anthropic's, Gemini's and Cohere's list endpoints, Bedrock's inference profiles) and
 * kept for SLUICE_MODEL_ROUTER_MODELS_CACHE_TTL_MS; a provider whose list fails is left out.
 */
export function routerModelsEndpoint(targets: ReadonlyMap<string, RouterTarget>, runtime: () => Runtime): Endpoint {
  const cache = new Map<string, { expires: number; models: ListedModel[] }>();

  async function list(target: RouterTarget, input: ListInput, ttlMs: number): Promise<ListedModel[]> {
    const key = `${target.id} ${input.baseUrl}`;
    const hit = cache.get(key);
    if (hit && hit.expires > Date.now()) return hit.models;
    let models: ListedModel[];
    try {
      models = await target.listModels(input);
    } catch (error) {
      runtime().logger.warn('model router: could not list models', { provider: target.id, error: (error as Error).message });
      models = [];
    }
    cache.set(key, { expires: Date.now() + ttlMs, models });
    return models;
  }

  return {
    operation: 'models',
    method: 'GET',
    match: exactPath('/models'),
    prepare({ config, profile, request }) {
      return {
        url: 'model-router:models',
        method: 'GET',
        headers: {},
        stream: false,
        summarize: () => ({}),
        observe: wholeBodyObserver,
        async send(signal) {
          const ttl = routerSettings(config).modelsCacheTtlMs;
          const listSignal = AbortSignal.any([signal, AbortSignal.timeout(LIST_TIMEOUT_MS)]);
          const lists = await Promise.all(
            [...targets.values()].map(async (target) => {
              const access = reachable(target, config);
              if (!access) return [];
              const models = await list(target, { ...access, config, upstream: runtime().upstream, signal: listSignal, profile, request }, ttl);
              return models.map((model) => ({ id: `${target.id}:${model.id}`, object: 'model', created: model.created ?? 0, owned_by: target.id }));
            }),
          );
          const data = lists.flat().sort((a, b) => a.id.localeCompare(b.id));
          return bufferedResponse(200, { 'content-type': 'application/json' }, Buffer.from(JSON.stringify({ object: 'list', data })));
        },
      };
    },
  };
}
