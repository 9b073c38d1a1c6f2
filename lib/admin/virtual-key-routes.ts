import * as z from 'zod';
import type { VirtualKeyRecord } from '../auth/access-records.ts';
import { newSecret, secretHint, sha256Hex, VIRTUAL_KEY_PREFIX } from '../auth/sluice-secrets.ts';
import { SluiceError } from '../errors/sluice-error.ts';
import { profileIdSchema } from '../profiles/profile.ts';
import type { Runtime } from '../runtime.ts';
import { patchAttributes, virtualKeyView } from './credential-views.ts';
import { assertProfilesExist, assertProviderKeysExist } from './grant-checks.ts';
import { notFound, route } from './route.ts';
import {
  listOf,
  virtualKeyCreatedSchema,
  virtualKeyCreateSchema,
  virtualKeyOutSchema,
  virtualKeyParams,
  virtualKeyPatchSchema,
} from './schemas.ts';

const virtualKeyList = listOf(virtualKeyOutSchema, 'VirtualKeyList');
const tag = 'Virtual keys';

async function read(runtime: Runtime, id: string): Promise<VirtualKeyRecord> {
  const record = await runtime.access.read(id);
  if (record?.kind !== 'virtual-key') throw notFound(`Virtual key '${id}'`);
  return record;
}

const utc = (time: string) => new Date(time).toISOString();

export const virtualKeyRoutes = [
  route({
    method: 'GET',
    path: '/admin/virtual-keys',
    operationId: 'listVirtualKeys',
    summary: 'List virtual keys (never the keys themselves)',
    tag,
    query: z.object({ profile: profileIdSchema.optional().describe('Only keys that may use this profile.') }),
    response: { status: 200, description: 'Virtual keys', schema: virtualKeyList },
    async handle({ runtime, query }) {
      const records = await runtime.access.list('virtual-key');
      const items = records.filter((r) => !query.profile || r.profiles.includes(query.profile)).map(virtualKeyView);
      return { status: 200, body: { items } };
    },
  }),
  route({
    method: 'POST',
    path: '/admin/virtual-keys',
    operationId: 'createVirtualKey',
    summary: 'Create a virtual key; the key is in this response only',
    tag,
    body: virtualKeyCreateSchema,
    response: { status: 201, description: 'The key and its record', schema: virtualKeyCreatedSchema },
    async handle({ runtime, body }) {
      if (body.expiresAt && Date.parse(body.expiresAt) <= Date.now()) {
        throw new SluiceError('bad_request', 'expiresAt is in the past.', { code: 'invalid_value', param: 'expiresAt' });
      }
      await assertProfilesExist(runtime, body.profiles);
      await assertProviderKeysExist(runtime, body.providerKeys);
      const secret = newSecret(VIRTUAL_KEY_PREFIX);
      const now = new Date().toISOString();
      const record: VirtualKeyRecord = {
        id: sha256Hex(secret),
        kind: 'virtual-key',
        name: body.name,
        hint: secretHint(secret, VIRTUAL_KEY_PREFIX),
        profiles: body.profiles,
        providerKeys: body.providerKeys,
        createdAt: now,
        updatedAt: now,
      };
      if (body.expiresAt) record.expiresAt = utc(body.expiresAt);
      if (body.limits) record.limits = body.limits;
      await runtime.access.create(record);
      return { status: 201, body: { key: virtualKeyView(record), secret } };
    },
  }),
  route({
    method: 'GET',
    path: '/admin/virtual-keys/{id}',
    operationId: 'getVirtualKey',
    summary: 'Show a virtual key',
    tag,
    params: virtualKeyParams,
    response: { status: 200, description: 'The key record', schema: virtualKeyOutSchema },
    async handle({ runtime, params }) {
      return { status: 200, body: virtualKeyView(await read(runtime, params.id)) };
    },
  }),
  route({
    method: 'PATCH',
    path: '/admin/virtual-keys/{id}',
    operationId: 'updateVirtualKey',
    summary: 'Change the name, profiles, provider keys or expiry of a virtual key',
    tag,
    params: virtualKeyParams,
    body: virtualKeyPatchSchema,
    response: { status: 200, description: 'The changed key record', schema: virtualKeyOutSchema },
    async handle({ runtime, params, body }) {
      await read(runtime, params.id);
      if (body.profiles) await assertProfilesExist(runtime, body.profiles);
      if (body.providerKeys) await assertProviderKeysExist(runtime, body.providerKeys);
      const { set, remove } = patchAttributes({ ...body, expiresAt: body.expiresAt ? utc(body.expiresAt) : body.expiresAt });
      const record = await runtime.access.update(params.id, set, remove);
      if (record?.kind !== 'virtual-key') throw notFound(`Virtual key '${params.id}'`);
      return { status: 200, body: virtualKeyView(record) };
    },
  }),
  route({
    method: 'POST',
    path: '/admin/virtual-keys/{id}/revoke',
    operationId: 'revokeVirtualKey',
    summary: 'Revoke a virtual key: refused from then on, kept for the record',
    tag,
    params: virtualKeyParams,
    response: { status: 200, description: 'The revoked key record', schema: virtualKeyOutSchema },
    async handle({ runtime, params }) {
      const current = await read(runtime, params.id);
      if (current.revokedAt) return { status: 200, body: virtualKeyView(current) };
      const now = new Date().toISOString();
      const record = await runtime.access.update(params.id, { revokedAt: now, updatedAt: now });
      if (record?.kind !== 'virtual-key') throw notFound(`Virtual key '${params.id}'`);
      return { status: 200, body: virtualKeyView(record) };
    },
  }),
  route({
    method: 'DELETE',
    path: '/admin/virtual-keys/{id}',
    operationId: 'deleteVirtualKey',
    summary: 'Delete a virtual key',
    tag,
    params: virtualKeyParams,
    response: { status: 204, description: 'Deleted' },
    async handle({ runtime, params }) {
      await read(runtime, params.id);
      await runtime.access.delete(params.id);
      return { status: 204 };
    },
  }),
];
