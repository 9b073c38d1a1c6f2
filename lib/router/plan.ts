import { SluiceError } from '../errors/sluice-error.ts';
import type { JsonObject } from '../providers/shared/json-body.ts';
import type { PrepareInput } from '../providers/types.ts';
import { translatedRoute, type AttemptPlan } from './attempt.ts';
import { routerCredential } from './credentials.ts';
import { unfetchedImages } from './images.ts';
import { modelsUrlHint, parseModelId, requestedModelIds } from './model-id.ts';
import type { RouterApi } from './router-api.ts';
import type { RouterTarget } from './targets/types.ts';

/**
 * The models a request names, each with its provider, base URL and credential. Everything that can
 * be known before sending is checked here, for every model, so that a request that cannot be
 * carried is refused at once rather than after a fallback: the model ids, that each provider is
 * enabled and has a credential, and that the request translates for it (images are not fetched yet).
 */
export async function planAttempts(
  api: RouterApi,
  json: JsonObject,
  input: PrepareInput,
  targets: ReadonlyMap<string, RouterTarget>,
): Promise<AttemptPlan[]> {
  const { request, config } = input;
  const ids = requestedModelIds(json, request.headers);
  const refs = ids.map((id) => parseModelId(id, [...targets.keys()], modelsUrlHint(request.path)));
  const providers = new Set(refs.map((ref) => ref.provider));
  const plans = refs.map((ref): AttemptPlan => {
    const target = targets.get(ref.provider)!;
    const baseUrl = target.baseUrl(config);
    if (!baseUrl) {
      throw new SluiceError('not_found', `${target.displayName} is not enabled, so '${ref.id}' cannot be served. ${target.howToEnable}`, {
        param: 'model',
        code: 'provider_not_enabled',
      });
    }
    return { ref, target, baseUrl, apiKey: routerCredential({ target, config, clientKey: input.apiKey, providers }) };
  });
  for (const plan of plans) {
    const route = translatedRoute(plan, api);
    if (!route) continue;
    const { request: neutral } = api.read(json, plan.target.displayName);
    await route.translator.request(neutral, { model: plan.ref.model, providerName: plan.target.displayName, images: unfetchedImages });
  }
  return plans;
}
