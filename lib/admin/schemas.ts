import * as z from 'zod';
import { clientIdSchema, virtualKeyRecordSchema, oauthClientRecordSchema } from '../auth/access-records.ts';
import { grantSchema, providerKeyMappingSchema } from '../auth/grant.ts';
import { profileAuthSchema } from '../auth/profile-auth.ts';
import { limitsSchema } from '../limits/limit.ts';
import { profileIdSchema, profileSchema } from '../profiles/profile.ts';
import { toolInvocationPolicySchema, trustedDataPolicySchema } from '../security/policy-types.ts';
import {
  newProviderKeySchema,
  providerIdSchema,
  providerKeyIdSchema,
  providerKeyInfoSchema,
  providerKeyPatchSchema,
} from '../secrets/provider-key-store.ts';

/**
 * The admin API's request and response bodies. Requests are validated with these; the OpenAPI
 * document at GET /admin/openapi.json is generated from them.
 */

/** The named schemas of the admin API: the OpenAPI document's components. */
export const adminSchemas = z.registry<{ id: string }>();

const isoTime = z.iso.datetime({ offset: true }).describe('ISO 8601 time, for example 2026-01-31T00:00:00Z.');

export const errorSchema = z
  .object({ error: z.object({ code: z.string(), message: z.string() }) })
  .register(adminSchemas, { id: 'Error' });

/** What a profile enforces: tool policies (see the README's security pipeline) and usage limits. */
const profileRules = {
  trustedDataPolicies: z.array(trustedDataPolicySchema).max(500).optional(),
  toolInvocationPolicies: z.array(toolInvocationPolicySchema).max(500).optional(),
  limits: limitsSchema.optional(),
};

// Profiles. Other settings a profile carries (the tools it has seen) pass through unchanged.
export const profileOutSchema = profileSchema.extend({ auth: profileAuthSchema.optional() }).register(adminSchemas, { id: 'Profile' });
export const profileCreateSchema = z
  .looseObject({
    id: profileIdSchema,
    name: z.string().min(1).max(200),
    description: z.string().max(2000).optional(),
    auth: profileAuthSchema.optional(),
    ...profileRules,
  })
  .register(adminSchemas, { id: 'ProfileCreate' });
export const profilePatchSchema = z
  .looseObject({
    name: z.string().min(1).max(200).optional(),
    description: z.string().max(2000).nullable().optional().describe('null removes the description.'),
    auth: profileAuthSchema.nullable().optional().describe('Replaces the auth settings whole; null removes them.'),
    trustedDataPolicies: profileRules.trustedDataPolicies.describe('Replaces the list whole.'),
    toolInvocationPolicies: profileRules.toolInvocationPolicies.describe('Replaces the list whole.'),
    limits: profileRules.limits.describe('Replaces the list whole.'),
  })
  .register(adminSchemas, { id: 'ProfilePatch' });

// Provider keys.
export const providerKeyOutSchema = providerKeyInfoSchema.register(adminSchemas, { id: 'ProviderKey' });
export const providerKeyCreateSchema = newProviderKeySchema.register(adminSchemas, { id: 'ProviderKeyCreate' });
export const providerKeyUpdateSchema = providerKeyPatchSchema.register(adminSchemas, { id: 'ProviderKeyPatch' });

// Virtual keys.
const status = z.enum(['active', 'expired', 'revoked']);
export const virtualKeyOutSchema = virtualKeyRecordSchema.omit({ kind: true }).extend({ status }).register(adminSchemas, { id: 'VirtualKey' });
export const virtualKeyCreateSchema = grantSchema
  .extend({
    name: z.string().min(1).max(200),
    expiresAt: isoTime.optional(),
    limits: limitsSchema.optional().describe('Usage limits of this key, counted apart from its profiles\' limits.'),
  })
  .strict()
  .register(adminSchemas, { id: 'VirtualKeyCreate' });
export const virtualKeyPatchSchema = z
  .object({
    name: z.string().min(1).max(200).optional(),
    profiles: z.array(profileIdSchema).min(1).optional(),
    providerKeys: providerKeyMappingSchema.optional(),
    expiresAt: isoTime.nullable().optional().describe('null removes the expiry; a past time expires the key now.'),
    limits: limitsSchema.nullable().optional().describe('Replaces the key\'s limits whole; null removes them.'),
  })
  .strict()
  .register(adminSchemas, { id: 'VirtualKeyPatch' });
export const virtualKeyCreatedSchema = z
  .object({
    key: virtualKeyOutSchema,
    secret: z.string().describe('The virtual key. Shown only in this response: Sluice keeps only its SHA-256.'),
  })
  .register(adminSchemas, { id: 'VirtualKeyCreated' });

// OAuth clients.
export const oauthClientOutSchema = oauthClientRecordSchema
  .omit({ kind: true, id: true, secretHash: true })
  .extend({ status })
  .register(adminSchemas, { id: 'OAuthClient' });
export const oauthClientCreateSchema = grantSchema
  .extend({
    clientId: clientIdSchema.optional().describe('Chosen by Sluice when absent.'),
    name: z.string().min(1).max(200),
  })
  .strict()
  .register(adminSchemas, { id: 'OAuthClientCreate' });
export const oauthClientPatchSchema = z
  .object({
    name: z.string().min(1).max(200).optional(),
    profiles: z.array(profileIdSchema).min(1).optional(),
    providerKeys: providerKeyMappingSchema.optional(),
  })
  .strict()
  .register(adminSchemas, { id: 'OAuthClientPatch' });
export const oauthClientCreatedSchema = z
  .object({
    client: oauthClientOutSchema,
    clientSecret: z.string().describe('Shown only in this response: Sluice keeps only its SHA-256.'),
  })
  .register(adminSchemas, { id: 'OAuthClientCreated' });

// Interactions.
export const interactionOutSchema = z
  .looseObject({
    profileId: z.string(),
    id: z.string(),
    createdAt: z.string(),
    provider: z.string(),
    operation: z.string(),
    model: z.string().optional(),
    status: z.number(),
    outcome: z.string(),
    latencyMs: z.number(),
    inputTokens: z.number().optional(),
    outputTokens: z.number().optional(),
    credential: z.object({ kind: z.string(), id: z.string().optional() }).optional(),
  })
  .register(adminSchemas, { id: 'Interaction' });
export const interactionQuerySchema = z.object({
  from: isoTime.optional(),
  to: isoTime.optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});

// Path parameters.
export const profileParams = z.object({ id: profileIdSchema });
export const providerKeyParams = z.object({ provider: providerIdSchema, keyId: providerKeyIdSchema });
export const providerKeyQuery = z.object({ provider: providerIdSchema.optional() });
export const virtualKeyParams = z.object({ id: z.string().regex(/^[0-9a-f]{64}$/, 'a virtual key id (64 hex characters)') });
export const oauthClientParams = z.object({ clientId: clientIdSchema });

export const listOf = <T extends z.ZodType>(item: T, id: string) =>
  z.object({ items: z.array(item) }).register(adminSchemas, { id });
