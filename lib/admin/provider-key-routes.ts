import { notFound, route } from './route.ts';
import {
  listOf,
  providerKeyCreateSchema,
  providerKeyOutSchema,
  providerKeyParams,
  providerKeyQuery,
  providerKeyUpdateSchema,
} from './schemas.ts';

const providerKeyList = listOf(providerKeyOutSchema, 'ProviderKeyList');
const tag = 'Provider keys';

export const providerKeyRoutes = [
  route({
    method: 'GET',
    path: '/admin/provider-keys',
    operationId: 'listProviderKeys',
    summary: 'List provider keys (never their secrets)',
    tag,
    query: providerKeyQuery,
    response: { status: 200, description: 'Provider keys', schema: providerKeyList },
    async handle({ runtime, query }) {
      return { status: 200, body: { items: await runtime.providerKeys.list(query.provider) } };
    },
  }),
  route({
    method: 'POST',
    path: '/admin/provider-keys',
    operationId: 'createProviderKey',
    summary: 'Store a provider key',
    tag,
    body: providerKeyCreateSchema,
    response: { status: 201, description: 'The stored key, without its secret', schema: providerKeyOutSchema },
    async handle({ runtime, body }) {
      return { status: 201, body: await runtime.providerKeys.create(body) };
    },
  }),
  route({
    method: 'GET',
    path: '/admin/provider-keys/{provider}/{keyId}',
    operationId: 'getProviderKey',
    summary: 'Show a provider key (never its secret)',
    tag,
    params: providerKeyParams,
    response: { status: 200, description: 'The key', schema: providerKeyOutSchema },
    async handle({ runtime, params }) {
      const key = await runtime.providerKeys.get(params.provider, params.keyId);
      if (!key) throw notFound(`Provider key '${params.provider}/${params.keyId}'`);
      return { status: 200, body: key };
    },
  }),
  route({
    method: 'PATCH',
    path: '/admin/provider-keys/{provider}/{keyId}',
    operationId: 'updateProviderKey',
    summary: 'Change a provider key: rotate its secret, rename it, set or remove its base URL',
    tag,
    params: providerKeyParams,
    body: providerKeyUpdateSchema,
    response: { status: 200, description: 'The changed key', schema: providerKeyOutSchema },
    async handle({ runtime, params, body }) {
      const key = await runtime.providerKeys.update(params.provider, params.keyId, body);
      if (!key) throw notFound(`Provider key '${params.provider}/${params.keyId}'`);
      return { status: 200, body: key };
    },
  }),
  route({
    method: 'DELETE',
    path: '/admin/provider-keys/{provider}/{keyId}',
    operationId: 'deleteProviderKey',
    summary: 'Delete a provider key (credentials mapped to it are refused with 403 from then on)',
    tag,
    params: providerKeyParams,
    response: { status: 204, description: 'Deleted' },
    async handle({ runtime, params }) {
      if (!(await runtime.providerKeys.delete(params.provider, params.keyId))) {
        throw notFound(`Provider key '${params.provider}/${params.keyId}'`);
      }
      return { status: 204 };
    },
  }),
];
