import type { z } from 'zod';
import { asSluiceError, SluiceError } from '../errors/sluice-error.ts';
import type { SluiceRequest } from '../http/request.ts';
import type { ResponseWriter } from '../http/response.ts';
import type { RequestHandler } from '../proxy/proxy-handler.ts';
import { parseJsonObject } from '../providers/shared/json-body.ts';
import { getRuntime, type Runtime } from '../runtime.ts';
import { adminRoutes } from './admin-routes.ts';
import { AdminRouter } from './route.ts';

const router = new AdminRouter(adminRoutes);

function validate<T extends z.ZodType>(schema: T, value: unknown, where: string): z.output<T> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const path = issue.path.map(String).join('.');
  throw new SluiceError('bad_request', `Invalid ${where}${path ? ` '${path}'` : ''}: ${issue.message}.`, {
    code: 'invalid_value',
    param: path || undefined,
  });
}

async function sendJson(writer: ResponseWriter, status: number, body: unknown): Promise<void> {
  const headers = { 'content-type': 'application/json', 'cache-control': 'no-store' };
  await writer.send(status, headers, body === undefined ? '' : JSON.stringify(body));
}

/**
 * The admin API. It trusts the caller identity the platform established: on AWS the AWS_IAM
 * Function URL (the event's IAM authorizer), locally the server's admin-token check. A request
 * without one is refused, so the handler is never open even if its URL were misconfigured.
 */
export function createAdminHandler(runtime: () => Runtime = getRuntime): RequestHandler {
  return async (request: SluiceRequest, writer: ResponseWriter) => {
    const rt = runtime();
    let template = 'unknown';
    let status = 500;
    try {
      if (!request.caller) {
        throw new SluiceError('forbidden', 'The admin API needs an IAM-authenticated caller (SigV4) or, locally, the admin token.', {
          code: 'not_authenticated',
        });
      }
      const { route, params } = router.match(request.method, request.path);
      template = route.path;
      const body = route.body
        ? validate(route.body, request.body.byteLength === 0 ? {} : parseJsonObject(request.body), 'body field')
        : undefined;
      const result = await route.handle({
        runtime: rt,
        params: route.params ? validate(route.params, params, 'path parameter') : undefined,
        query: route.query ? validate(route.query, Object.fromEntries(request.query), 'query parameter') : undefined,
        body,
      });
      status = result.status;
      await sendJson(writer, result.status, result.body);
    } catch (caught) {
      const error = asSluiceError(caught);
      status = error.status;
      if (error.kind === 'internal') {
        const cause = error.cause ?? caught;
        // SDK and file errors name resources, never secret values; request bodies are never logged.
        const detail = cause instanceof Error ? `${cause.name}: ${cause.message}` : 'unknown';
        rt.logger.error('admin request failed', { route: template, error: detail });
      }
      await sendJson(writer, error.status, { error: { code: error.code ?? error.kind, message: error.message } });
    } finally {
      // An audit line: who did what. Never a body: bodies carry keys.
      rt.logger.info('admin request', { caller: request.caller, method: request.method, route: template, status });
    }
  };
}
