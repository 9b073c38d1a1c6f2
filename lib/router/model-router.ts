import { openAiDialect } from '../providers/openai/dialect.ts';
import { bearerToken } from '../providers/shared/headers.ts';
import type { ProviderAdapter } from '../providers/types.ts';
import { getRuntime, type Runtime } from '../runtime.ts';
import { routerModelsEndpoint } from './models-list.ts';
import { chatApi, responsesApi } from './router-api.ts';
import { routerCompletionEndpoint } from './router-endpoints.ts';
import { routerTargets, type RouterTargetOptions } from './targets/index.ts';
import type { RouterTarget } from './targets/types.ts';

export const MODEL_ROUTER_ID = 'model-router';

export interface ModelRouterOptions extends RouterTargetOptions {
  /** The providers it reaches (default: every provider, see lib/router/targets). */
  targets?: ReadonlyMap<string, RouterTarget>;
  runtime?: () => Runtime;
}

/**
 * The model router as a route of the proxy pipeline: `/v1/model-router[/<profile>]/…`, one
 * OpenAI-compatible API in front of every provider, each model named `provider:model`. It speaks
 * OpenAI's dialect; the credentials of each provider are chosen per model (lib/router/credentials.ts),
 * by the caller's virtual key or access token when it sends one.
 */
export function createModelRouter(options: ModelRouterOptions = {}): ProviderAdapter {
  const targets = options.targets ?? routerTargets(options);
  const runtime = options.runtime ?? getRuntime;
  return {
    id: MODEL_ROUTER_ID,
    displayName: 'Model router',
    dialect: openAiDialect,
    endpoints: [
      routerCompletionEndpoint(chatApi, targets, runtime),
      routerCompletionEndpoint(responsesApi, targets, runtime),
      routerModelsEndpoint(targets, runtime),
    ],
    // Always on; each provider behind it has its own base URL.
    baseUrl: () => MODEL_ROUTER_ID,
    howToEnable: '',
    clientKey: bearerToken,
    defaultKey: () => undefined,
    // Checked per provider, once the model is known.
    keyRequired: () => false,
    // A virtual key or access token is checked for the route; each provider's key is chosen per model.
    keysPerProvider: true,
  };
}
