import type { RequestHandler } from '../proxy/proxy-handler.ts';
import { proxyRequest } from '../proxy/proxy-request.ts';
import { getRuntime, type Runtime } from '../runtime.ts';
import { createModelRouter, type ModelRouterOptions } from './model-router.ts';

/** The model router's Lambda handler body: the proxy pipeline with the router as its only route. */
export function createModelRouterHandler(options: ModelRouterOptions = {}, runtime: () => Runtime = getRuntime): RequestHandler {
  const router = createModelRouter({ runtime, ...options });
  const providers = new Map([[router.id, router]]);
  return (request, writer) => proxyRequest(request, writer, providers, runtime());
}
