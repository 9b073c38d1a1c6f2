import type { UpstreamKeys } from '../auth/authenticator.ts';
import { sha256Hex } from '../auth/sluice-secrets.ts';
import type { Config } from '../config/index.ts';
import { wholeBodyObserver } from '../providers/shared/whole-body-observer.ts';
import { exactPath, type Endpoint } from '../providers/types.ts';
import type { Runtime } from '../runtime.ts';
import { isNoAccess, routerCredential, type RouterCredential } from './credentials.ts';
import { routerSettings } from './settings.ts';
import type { ListInput, ListedModel, RouterTarget } from './targets/types.ts';
import { bufferedResponse } from './upstream-errors.ts';

/** How long one provider's list may take before /models answers without it. */
const LIST_TIMEOUT_MS = 10_000;

/**
 * A provider the caller can reach, and with which key: through its Sluice credential's mappings,
 * else the server's key (or none, for a provider that needs none). A plain key sent to the router
 * is never used to list models, since it says nothing of which provider it was made for.
 */
async function reachable(
  target: RouterTarget,
  config: Config,
  keys: UpstreamKeys,
  providers: ReadonlySet<string>,
): Promise<RouterCredential & { baseUrl: string } | undefined> {
  const baseUrl = target.baseUrl(config);
  if (!baseUrl) return undefined;
  try {
    const credential = await routerCredential({ target, config, keys, clientKey: undefined, providers });
    return { apiKey: credential.apiKey, baseUrl: credential.baseUrl ?? baseUrl };
  } catch (error) {
    if (isNoAccess(error)) return undefined;
    throw error;
  }
}

/**
 * `GET …/models`: the models of every provider the caller can reach, as OpenAI model objects with
 * provider-qualified ids. Each provider's list is asked for in parallel (OpenAI-style providers'
 * `/models`, Anthropic's, Gemini's and Cohere's list endpoints, Bedrock's inference profiles) and
 * kept for SLUICE_MODEL_ROUTER_MODELS_CACHE_TTL_MS per provider, base URL and key; a provider whose
 * list fails is left out.
 */
export function routerModelsEndpoint(targets: ReadonlyMap<string, RouterTarget>, runtime: () => Runtime): Endpoint {
  const cache = new Map<string, { expires: number; models: ListedModel[] }>();

  async function list(target: RouterTarget, input: ListInput, ttlMs: number): Promise<ListedModel[]> {
    // Per key too: two callers' mapped keys may see different models (Azure deployments, fine-tunes).
    const key = `${target.id} ${input.baseUrl} ${input.apiKey ? sha256Hex(input.apiKey) : '-'}`;
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
    prepare({ config, profile, request, upstreamKeys }) {
      if (!upstreamKeys) throw new Error('the model router runs behind the proxy pipeline, which gives it the upstream keys');
      const keys = upstreamKeys;
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
          const providers = new Set(targets.keys());
          const lists = await Promise.all(
            [...targets.values()].map(async (target) => {
              const access = await reachable(target, config, keys, providers);
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
