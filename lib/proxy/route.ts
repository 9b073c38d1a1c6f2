import { SluiceError } from '../errors/sluice-error.ts';
import type { SluiceRequest } from '../http/request.ts';
import { DEFAULT_PROFILE_ID, isProfileId } from '../profiles/profile.ts';
import type { Endpoint, ProviderAdapter } from '../providers/types.ts';

export interface RouteMatch {
  provider: ProviderAdapter;
  endpoint: Endpoint;
  profileId: string;
  params: Record<string, string>;
}

const PROVIDER_PREFIX = /^\/v1\/([a-z0-9-]+)(\/.*)?$/;

/** The provider segment of a path, if it has one: `/v1/<provider>/…`. */
export function providerSegment(path: string): string | undefined {
  return PROVIDER_PREFIX.exec(path)?.[1];
}

type EndpointSearch =
  | { found: true; endpoint: Endpoint; params: Record<string, string> }
  | { found: false; wrongMethod: boolean };

function findEndpoint(provider: ProviderAdapter, path: string, method: string): EndpointSearch {
  let wrongMethod = false;
  for (const endpoint of provider.endpoints) {
    const params = endpoint.match(path);
    if (!params) continue;
    if (endpoint.method === method) return { found: true, endpoint, params };
    wrongMethod = true;
  }
  return { found: false, wrongMethod };
}

/**
 * `/v1/<provider>[/<profile>]/<endpoint path>`. The endpoint path is tried first without a profile
 * segment (the default profile), then with the first segment taken as the profile id.
 */
export function matchRoute(request: SluiceRequest, provider: ProviderAdapter): RouteMatch {
  const rest = PROVIDER_PREFIX.exec(request.path)?.[2] ?? '/';
  const direct = findEndpoint(provider, rest, request.method);
  if (direct.found) {
    return { provider, endpoint: direct.endpoint, params: direct.params, profileId: DEFAULT_PROFILE_ID };
  }
  const slash = rest.indexOf('/', 1);
  const segment = slash > 0 ? rest.slice(1, slash) : rest.slice(1);
  const afterProfile = slash > 0 ? rest.slice(slash) : '/';
  const withProfile = isProfileId(segment) ? findEndpoint(provider, afterProfile, request.method) : undefined;
  if (withProfile?.found) {
    return { provider, endpoint: withProfile.endpoint, params: withProfile.params, profileId: segment };
  }
  if ((!direct.found && direct.wrongMethod) || (withProfile && !withProfile.found && withProfile.wrongMethod)) {
    throw new SluiceError('method_not_allowed', `${request.method} is not allowed on ${request.path}.`, {
      code: 'method_not_allowed',
    });
  }
  throw new SluiceError(
    'not_found',
    `No ${provider.displayName} route at ${request.method} ${request.path}. Routes have the form /v1/${provider.id}[/<profile>]/<API path>.`,
    { code: 'unknown_route' },
  );
}
