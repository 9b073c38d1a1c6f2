import { randomBytes } from 'node:crypto';
import { oauthClientItemId, type OAuthClientRecord } from '../auth/access-records.ts';
import { CLIENT_SECRET_PREFIX, newSecret, sha256Hex } from '../auth/sluice-secrets.ts';
import type { Runtime } from '../runtime.ts';
import { oauthClientView, patchAttributes } from './credential-views.ts';
import { assertProfilesExist, assertProviderKeysExist } from './grant-checks.ts';
import { notFound, route } from './route.ts';
import {
  listOf,
  oauthClientCreatedSchema,
  oauthClientCreateSchema,
  oauthClientOutSchema,
  oauthClientParams,
  oauthClientPatchSchema,
} from './schemas.ts';

const oauthClientList = listOf(oauthClientOutSchema, 'OAuthClientList');
const tag = 'OAuth clients';

async function read(runtime: Runtime, clientId: string): Promise<OAuthClientRecord> {
  const record = await runtime.access.read(oauthClientItemId(clientId));
  if (record?.kind !== 'oauth-client') throw notFound(`OAuth client '${clientId}'`);
  return record;
}

async function change(runtime: Runtime, clientId: string, set: Record<string, unknown>, remove: string[] = []) {
  const record = await runtime.access.update(oauthClientItemId(clientId), set, remove);
  if (record?.kind !== 'oauth-client') throw notFound(`OAuth client '${clientId}'`);
  return record;
}

export const oauthClientRoutes = [
  route({
    method: 'GET',
    path: '/admin/oauth-clients',
    operationId: 'listOAuthClients',
    summary: 'List OAuth clients (never their secrets)',
    tag,
    response: { status: 200, description: 'OAuth clients', schema: oauthClientList },
    async handle({ runtime }) {
      const items = (await runtime.access.list('oauth-client')).map(oauthClientView);
      return { status: 200, body: { items } };
    },
  }),
  route({
    method: 'POST',
    path: '/admin/oauth-clients',
    operationId: 'createOAuthClient',
    summary: 'Create an OAuth client (client credentials grant); its secret is in this response only',
    tag,
    body: oauthClientCreateSchema,
    response: { status: 201, description: 'The client and its secret', schema: oauthClientCreatedSchema },
    async handle({ runtime, body }) {
      await assertProfilesExist(runtime, body.profiles);
      await assertProviderKeysExist(runtime, body.providerKeys);
      const clientId = body.clientId ?? `cl-${randomBytes(8).toString('hex')}`;
      const clientSecret = newSecret(CLIENT_SECRET_PREFIX);
      const now = new Date().toISOString();
      const record: OAuthClientRecord = {
        id: oauthClientItemId(clientId),
        kind: 'oauth-client',
        clientId,
        name: body.name,
        secretHash: sha256Hex(clientSecret),
        profiles: body.profiles,
        providerKeys: body.providerKeys,
        createdAt: now,
        updatedAt: now,
      };
      await runtime.access.create(record);
      return { status: 201, body: { client: oauthClientView(record), clientSecret } };
    },
  }),
  route({
    method: 'GET',
    path: '/admin/oauth-clients/{clientId}',
    operationId: 'getOAuthClient',
    summary: 'Show an OAuth client',
    tag,
    params: oauthClientParams,
    response: { status: 200, description: 'The client', schema: oauthClientOutSchema },
    async handle({ runtime, params }) {
      return { status: 200, body: oauthClientView(await read(runtime, params.clientId)) };
    },
  }),
  route({
    method: 'PATCH',
    path: '/admin/oauth-clients/{clientId}',
    operationId: 'updateOAuthClient',
    summary: 'Change the name, profiles or provider keys of an OAuth client',
    tag,
    params: oauthClientParams,
    body: oauthClientPatchSchema,
    response: { status: 200, description: 'The changed client', schema: oauthClientOutSchema },
    async handle({ runtime, params, body }) {
      await read(runtime, params.clientId);
      if (body.profiles) await assertProfilesExist(runtime, body.profiles);
      if (body.providerKeys) await assertProviderKeysExist(runtime, body.providerKeys);
      const { set, remove } = patchAttributes(body);
      return { status: 200, body: oauthClientView(await change(runtime, params.clientId, set, remove)) };
    },
  }),
  route({
    method: 'POST',
    path: '/admin/oauth-clients/{clientId}/rotate-secret',
    operationId: 'rotateOAuthClientSecret',
    summary: 'Give an OAuth client a new secret (the old one stops working; tokens already issued run out)',
    tag,
    params: oauthClientParams,
    response: { status: 200, description: 'The client and its new secret', schema: oauthClientCreatedSchema },
    async handle({ runtime, params }) {
      await read(runtime, params.clientId);
      const clientSecret = newSecret(CLIENT_SECRET_PREFIX);
      const record = await change(runtime, params.clientId, {
        secretHash: sha256Hex(clientSecret),
        updatedAt: new Date().toISOString(),
      });
      return { status: 200, body: { client: oauthClientView(record), clientSecret } };
    },
  }),
  route({
    method: 'POST',
    path: '/admin/oauth-clients/{clientId}/revoke',
    operationId: 'revokeOAuthClient',
    summary: 'Revoke an OAuth client: no new tokens, and its tokens are refused',
    tag,
    params: oauthClientParams,
    response: { status: 200, description: 'The revoked client', schema: oauthClientOutSchema },
    async handle({ runtime, params }) {
      const current = await read(runtime, params.clientId);
      if (current.revokedAt) return { status: 200, body: oauthClientView(current) };
      const now = new Date().toISOString();
      return { status: 200, body: oauthClientView(await change(runtime, params.clientId, { revokedAt: now, updatedAt: now })) };
    },
  }),
  route({
    method: 'DELETE',
    path: '/admin/oauth-clients/{clientId}',
    operationId: 'deleteOAuthClient',
    summary: 'Delete an OAuth client',
    tag,
    params: oauthClientParams,
    response: { status: 204, description: 'Deleted' },
    async handle({ runtime, params }) {
      if (!(await runtime.access.delete(oauthClientItemId(params.clientId)))) throw notFound(`OAuth client '${params.clientId}'`);
      return { status: 204 };
    },
  }),
];
