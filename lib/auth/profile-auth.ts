import * as z from 'zod';
import { SluiceError } from '../errors/sluice-error.ts';
import type { Profile } from '../profiles/profile.ts';
import { providerKeyMappingSchema } from './grant.ts';

const httpUrl = z.url({ protocol: /^https?$/ });

/** A rule that picks the provider keys of a JWT by one of its claims. */
export const jwksClaimRuleSchema = z.object({
  claim: z.string().min(1).describe('A claim name; dots reach into objects (for example realm_access.roles).'),
  values: z.array(z.string()).min(1).describe('Matches when the claim equals, or (an array claim) contains, one of these.'),
  providerKeys: providerKeyMappingSchema,
});

/** A profile's trust in an external identity provider: its JWTs are accepted as credentials. */
export const jwksTrustSchema = z.object({
  issuer: z.string().min(1).describe('The `iss` the identity provider puts in its tokens.'),
  jwksUrl: httpUrl.describe("The identity provider's JWKS URL."),
  audience: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).describe('Accepted `aud` value(s).'),
  rules: z.array(jwksClaimRuleSchema).optional().describe('Tried in order; the first that matches picks the provider keys.'),
  providerKeys: providerKeyMappingSchema.optional().describe('Provider keys when no rule matches.'),
});
export type JwksTrust = z.infer<typeof jwksTrustSchema>;

/** How a profile lets callers in. Everything is optional: without it, a profile accepts every kind of credential. */
export const profileAuthSchema = z.object({
  allowProviderKeys: z
    .boolean()
    .optional()
    .describe("Accept a provider's own API key from the client and pass it upstream (default true)."),
  allowDefaultKey: z
    .boolean()
    .optional()
    .describe('Use the server default key (SLUICE_<PROVIDER>_API_KEY) when the client sends none (default true).'),
  jwks: jwksTrustSchema.optional(),
});
export type ProfileAuth = z.infer<typeof profileAuthSchema>;

/** The auth settings of a profile (validated when the profile was written; checked again here). */
export function profileAuth(profile: Profile): ProfileAuth {
  if (profile.auth === undefined) return {};
  const parsed = profileAuthSchema.safeParse(profile.auth);
  if (!parsed.success) {
    throw new SluiceError('internal', `Profile '${profile.id}' has invalid auth settings.`, { code: 'invalid_profile' });
  }
  return parsed.data;
}
