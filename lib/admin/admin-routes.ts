import { openApiDocument } from './openapi.ts';
import { oauthClientRoutes } from './oauth-client-routes.ts';
import { profileRoutes } from './profile-routes.ts';
import { providerKeyRoutes } from './provider-key-routes.ts';
import { route, type AdminRoute } from './route.ts';
import { usageRoutes } from './usage-routes.ts';
import { virtualKeyRoutes } from './virtual-key-routes.ts';

const resourceRoutes: readonly AdminRoute[] = [
  ...profileRoutes,
  ...providerKeyRoutes,
  ...virtualKeyRoutes,
  ...oauthClientRoutes,
  ...usageRoutes,
];

let document: Record<string, unknown> | undefined;

/** Every route of the admin API, the OpenAPI document included. */
export const adminRoutes: readonly AdminRoute[] = [
  route({
    method: 'GET',
    path: '/admin/openapi.json',
    operationId: 'openApiDocument',
    summary: 'This API as an OpenAPI 3.1 document',
    tag: 'Meta',
    response: { status: 200, description: 'The OpenAPI document' },
    async handle() {
      document ??= openApiDocument(adminRoutes);
      return { status: 200, body: document };
    },
  }),
  ...resourceRoutes,
];
