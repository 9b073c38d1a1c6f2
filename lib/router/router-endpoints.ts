import { parseJsonObject } from '../providers/shared/json-body.ts';
import { wholeBodyObserver } from '../providers/shared/whole-body-observer.ts';
import { exactPath, type Endpoint } from '../providers/types.ts';
import type { RoutingReport } from '../interactions/interaction.ts';
import type { Runtime } from '../runtime.ts';
import { sendAttempt, type ServedAttempt } from './attempt.ts';
import { sendWithFallbacks } from './fallback.ts';
import { imageResolver } from './images.ts';
import { planAttempts } from './plan.ts';
import type { RouterApi } from './router-api.ts';
import { routerSettings } from './settings.ts';
import type { RouterTarget } from './targets/types.ts';

/**
 * `POST …/chat/completions` or `…/responses` of the model router: the models named are planned
 * and checked, the security pipeline sees the request in the API the client called, and the call
 * is sent to the first model that answers (with fallbacks), translated both ways when the provider
 * has its own API.
 */
export function routerCompletionEndpoint(api: RouterApi, targets: ReadonlyMap<string, RouterTarget>, runtime: () => Runtime): Endpoint {
  return {
    operation: api.operation,
    method: 'POST',
    match: exactPath(api.path),
    async prepare(input) {
      const json = parseJsonObject(input.request.body);
      const plans = await planAttempts(api, json, input, targets);
      const routing: RoutingReport = { attempts: [] };
      let served: ServedAttempt | undefined;
      return {
        url: `model-router:${plans[0]!.ref.id}`,
        method: 'POST',
        headers: {},
        model: plans[0]!.ref.id,
        stream: json.stream === true,
        routing,
        tools: api.tools(json),
        async send(signal) {
          const { upstream } = runtime();
          const images = imageResolver(routerSettings(input.config).images, signal);
          served = await sendWithFallbacks(plans, (plan) => sendAttempt(plan, { api, json, input, upstream, images, signal }), routing);
          return served.response;
        },
        summarize: (body) => served?.summarize(body) ?? {},
        observe: () => served?.observe() ?? wholeBodyObserver(),
      };
    },
  };
}
