import { SluiceError } from '../errors/sluice-error.ts';
import { DEFAULT_PROFILE_ID, type Profile } from '../profiles/profile.ts';
import { assertProfileAuthValid } from './grant-checks.ts';
import { notFound, route } from './route.ts';
import {
  interactionOutSchema,
  interactionQuerySchema,
  listOf,
  profileCreateSchema,
  profileOutSchema,
  profileParams,
  profilePatchSchema,
} from './schemas.ts';

const profileList = listOf(profileOutSchema, 'ProfileList');
const interactionList = listOf(interactionOutSchema, 'InteractionList');
const tag = 'Profiles';

export const profileRoutes = [
  route({
    method: 'GET',
    path: '/admin/profiles',
    operationId: 'listProfiles',
    summary: 'List profiles',
    tag,
    response: { status: 200, description: 'Every profile', schema: profileList },
    async handle({ runtime }) {
      const items = await runtime.profiles.list();
      if (!items.some((p) => p.id === DEFAULT_PROFILE_ID)) {
        const fallback = await runtime.profiles.get(DEFAULT_PROFILE_ID);
        if (fallback) items.unshift(fallback);
      }
      return { status: 200, body: { items } };
    },
  }),
  route({
    method: 'POST',
    path: '/admin/profiles',
    operationId: 'createProfile',
    summary: 'Create a profile',
    tag,
    body: profileCreateSchema,
    response: { status: 201, description: 'The new profile', schema: profileOutSchema },
    async handle({ runtime, body }) {
      await assertProfileAuthValid(runtime, body.auth);
      const now = new Date().toISOString();
      const profile: Profile = { ...body, createdAt: now, updatedAt: now };
      if (!(await runtime.profiles.create(profile))) {
        throw new SluiceError('bad_request', `Profile '${body.id}' exists already.`, { status: 409, code: 'already_exists' });
      }
      return { status: 201, body: profile };
    },
  }),
  route({
    method: 'GET',
    path: '/admin/profiles/{id}',
    operationId: 'getProfile',
    summary: 'Show a profile',
    tag,
    params: profileParams,
    response: { status: 200, description: 'The profile', schema: profileOutSchema },
    async handle({ runtime, params }) {
      runtime.profiles.invalidate(params.id);
      const profile = await runtime.profiles.get(params.id);
      if (!profile) throw notFound(`Profile '${params.id}'`);
      return { status: 200, body: profile };
    },
  }),
  route({
    method: 'PATCH',
    path: '/admin/profiles/{id}',
    operationId: 'updateProfile',
    summary: 'Change a profile (fields given replace the old ones; null removes one)',
    tag,
    params: profileParams,
    body: profilePatchSchema,
    response: { status: 200, description: 'The changed profile', schema: profileOutSchema },
    async handle({ runtime, params, body }) {
      runtime.profiles.invalidate(params.id);
      const current = await runtime.profiles.get(params.id);
      if (!current) throw notFound(`Profile '${params.id}'`);
      await assertProfileAuthValid(runtime, body.auth);
      const next: Record<string, unknown> = { ...current };
      for (const [field, value] of Object.entries(body)) {
        if (value === null) delete next[field];
        else if (value !== undefined) next[field] = value;
      }
      const profile = { ...next, id: current.id, createdAt: current.createdAt, updatedAt: new Date().toISOString() } as Profile;
      await runtime.profiles.put(profile);
      return { status: 200, body: profile };
    },
  }),
  route({
    method: 'DELETE',
    path: '/admin/profiles/{id}',
    operationId: 'deleteProfile',
    summary: 'Delete a profile (its interaction records stay until they expire)',
    tag,
    params: profileParams,
    response: { status: 204, description: 'Deleted' },
    async handle({ runtime, params }) {
      if (params.id === DEFAULT_PROFILE_ID) {
        throw new SluiceError('bad_request', 'The default profile cannot be deleted.', { code: 'default_profile' });
      }
      if (!(await runtime.profiles.delete(params.id))) throw notFound(`Profile '${params.id}'`);
      return { status: 204 };
    },
  }),
  route({
    method: 'GET',
    path: '/admin/profiles/{id}/interactions',
    operationId: 'listInteractions',
    summary: "List a profile's interactions, newest first, optionally between two times",
    tag: 'Interactions',
    params: profileParams,
    query: interactionQuerySchema,
    response: { status: 200, description: 'Interaction records', schema: interactionList },
    async handle({ runtime, params, query }) {
      // Records sort by UTC ISO time: a time given with another offset is converted first.
      const utc = (time: string | undefined) => (time === undefined ? undefined : new Date(time).toISOString());
      const items = await runtime.interactions.list(params.id, { from: utc(query.from), to: utc(query.to), limit: query.limit });
      return { status: 200, body: { items } };
    },
  }),
];
