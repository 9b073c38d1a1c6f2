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
 * enabled, that the caller's credential reaches it (a 401 or 403 as on the provider's own route),
 * and that the request translates for it (images are not fetched yet).
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
  const keys = input.upstreamKeys;
  if (!keys) throw new Error('the model router runs behind the proxy pipeline, which gives it the upstream keys');
  const plans: AttemptPlan[] = [];
  for (const ref of refs) {
    const target = targets.get(ref.provider)!;
    const baseUrl = target.baseUrl(config);
    if (!baseUrl) {
      throw new SluiceError('not_found', `${target.displayName} is not enabled, so '${ref.id}' cannot be served. ${target.howToEnable}`, {
        param: 'model',
        code: 'provider_not_enabled',
      });
    }
    const credential = await routerCredential({ target, config, keys, clientKey: input.apiKey, providers });
    plans.push({ ref, target, baseUrl: credential.baseUrl ?? baseUrl, apiKey: credential.apiKey });
  }
  for (const plan of plans) {
    const route = translatedRoute(plan, api);
    if (!route) continue;
    const { request: neutral } = api.read(json, plan.target.displayName);
    await route.translator.request(neutral, { model: plan.ref.model, providerName: plan.target.displayName, images: unfetchedImages });
  }
  return plans;
}
