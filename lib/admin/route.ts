import type { z } from 'zod';
import { SluiceError } from '../errors/sluice-error.ts';
import type { Runtime } from '../runtime.ts';

export type AdminMethod = 'GET' | 'POST' | 'PATCH' | 'DELETE';

type Out<T> = T extends z.ZodType ? z.output<T> : undefined;

export interface RouteContext<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  runtime: Runtime;
}

export interface RouteResult {
  status: number;
  body?: unknown;
}

/** One operation of the admin API: what it accepts (zod), what it answers, and how. */
export interface AdminRoute {
  method: AdminMethod;
  /** `/admin/profiles/{id}`: `{name}` is a path parameter. */
  path: string;
  operationId: string;
  summary: string;
  tag: string;
  params?: z.ZodObject;
  query?: z.ZodObject;
  body?: z.ZodType;
  response: { status: number; description: string; schema?: z.ZodType };
  handle(context: RouteContext<unknown, unknown, unknown>): Promise<RouteResult>;
}

/** Declares a route with its handler typed by its own schemas. */
export function route<
  P extends z.ZodObject | undefined = undefined,
  Q extends z.ZodObject | undefined = undefined,
  B extends z.ZodType | undefined = undefined,
>(definition: {
  method: AdminMethod;
  path: string;
  operationId: string;
  summary: string;
  tag: string;
  params?: P;
  query?: Q;
  body?: B;
  response: { status: number; description: string; schema?: z.ZodType };
  handle(context: RouteContext<Out<P>, Out<Q>, Out<B>>): Promise<RouteResult>;
}): AdminRoute {
  return definition as unknown as AdminRoute;
}

export const notFound = (what: string) => new SluiceError('not_found', `${what} does not exist.`, { code: 'not_found' });

interface CompiledRoute {
  route: AdminRoute;
  pattern: RegExp;
  names: string[];
}

export type RouteMatch = { route: AdminRoute; params: Record<string, string> };

/** Matches a method and path against the routes: a 404 or 405 SluiceError when nothing fits. */
export class AdminRouter {
  private readonly compiled: CompiledRoute[];

  constructor(routes: readonly AdminRoute[]) {
    this.compiled = routes.map((route) => {
      const names: string[] = [];
      const source = route.path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{(\w+)\}/g, (_, name: string) => {
        names.push(name);
        return '([^/]+)';
      });
      return { route, pattern: new RegExp(`^${source}/?$`), names };
    });
  }

  match(method: string, path: string): RouteMatch {
    let pathMatched = false;
    for (const { route, pattern, names } of this.compiled) {
      const found = pattern.exec(path);
      if (!found) continue;
      pathMatched = true;
      if (route.method !== method) continue;
      const params: Record<string, string> = {};
      names.forEach((name, i) => {
        params[name] = decodeURIComponent(found[i + 1]!);
      });
      return { route, params };
    }
    if (pathMatched) {
      throw new SluiceError('method_not_allowed', `${method} is not allowed on ${path}.`, { code: 'method_not_allowed' });
    }
    throw new SluiceError('not_found', `No admin route at ${method} ${path}. See GET /admin/openapi.json.`, {
      code: 'unknown_route',
    });
  }
}
