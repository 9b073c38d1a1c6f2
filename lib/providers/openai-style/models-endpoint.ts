import { wholeBodyObserver } from '../shared/whole-body-observer.ts';
import { exactPath, type Endpoint } from '../types.ts';
import { bearerTarget, upstreamHeaders, type UpstreamTarget } from './upstream-target.ts';

export interface ModelsEndpointOptions {
  target?: UpstreamTarget;
}

/** `GET …/models`: the provider's model list, asked for with the caller's key (or the server's). */
export function modelsEndpoint(options: ModelsEndpointOptions = {}): Endpoint {
  const target = options.target ?? bearerTarget();
  return {
    operation: 'models',
    method: 'GET',
    match: exactPath('/models'),
    async prepare(input) {
      return {
        url: target.url(input, '/models', undefined),
        method: 'GET',
        headers: await upstreamHeaders(input, target, false),
        stream: false,
        summarize: () => ({}),
        observe: wholeBodyObserver,
      };
    },
  };
}
