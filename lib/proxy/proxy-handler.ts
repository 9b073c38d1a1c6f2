import type { SluiceRequest } from '../http/request.ts';
import type { ResponseWriter } from '../http/response.ts';
import type { ProviderAdapter } from '../providers/types.ts';
import { getRuntime, type Runtime } from '../runtime.ts';
import { proxyRequest } from './proxy-request.ts';

export type RequestHandler = (request: SluiceRequest, writer: ResponseWriter) => Promise<void>;

/**
 * The handler of one route family: the providers it serves, on the process's runtime. Each
 * function passes its own adapters, so its bundle holds only the providers it serves.
 */
export function createProxyHandler(
  providers: readonly ProviderAdapter[],
  runtime: () => Runtime = getRuntime,
): RequestHandler {
  const byId = new Map(providers.map((provider) => [provider.id, provider]));
  return (request, writer) => proxyRequest(request, writer, byId, runtime());
}
