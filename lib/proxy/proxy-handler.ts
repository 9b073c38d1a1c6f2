import type { SluiceRequest } from '../http/request.ts';
import type { ResponseWriter } from '../http/response.ts';
import { providersById } from '../providers/registry.ts';
import { getRuntime, type Runtime } from '../runtime.ts';
import { proxyRequest } from './proxy-request.ts';

export type RequestHandler = (request: SluiceRequest, writer: ResponseWriter) => Promise<void>;

/** The handler of one route family: the providers it serves, on the process's runtime. */
export function createProxyHandler(providerIds: readonly string[], runtime: () => Runtime = getRuntime): RequestHandler {
  const providers = new Map(providersById(providerIds).map((provider) => [provider.id, provider]));
  return (request, writer) => proxyRequest(request, writer, providers, runtime());
}
