import * as z from 'zod';
import { SluiceError } from '../errors/sluice-error.ts';
import { profileIdSchema } from '../profiles/profile.ts';
import { providerIdSchema, providerKeyIdSchema } from '../secrets/provider-key-store.ts';

/** provider id → provider key id: which stored key a credential uses upstream for each provider. */
export const providerKeyMappingSchema = z
  .record(providerIdSchema, providerKeyIdSchema)
  .describe('Provider id → provider key id, for example {"openai": "prod"}.');
export type ProviderKeyMapping = z.infer<typeof providerKeyMappingSchema>;

/** What a virtual key or OAuth client may do: the profiles it may call, and the key used for each provider. */
export const grantSchema = z.object({
  profiles: z.array(profileIdSchema).min(1).describe('The profiles this credential may call.'),
  providerKeys: providerKeyMappingSchema,
});
export type Grant = z.infer<typeof grantSchema>;

export type CredentialKind = 'virtual-key' | 'oauth-client' | 'jwks' | 'provider-key' | 'default-key';

/** Which credential a request used, for its interaction record: never the secret itself. */
export interface CredentialRef {
  kind: CredentialKind;
  id?: string;
}

/** A 403 unless the grant lists the profile. */
export function assertProfileAllowed(grant: Grant, profileId: string, who: string): void {
  if (!grant.profiles.includes(profileId)) {
    throw new SluiceError('forbidden', `This ${who} may not use profile '${profileId}'.`, { code: 'profile_not_allowed' });
  }
}

export function mappedKey(mapping: ProviderKeyMapping, providerId: string, who: string): string {
  const keyId = Object.hasOwn(mapping, providerId) ? mapping[providerId] : undefined;
  if (!keyId) {
    throw new SluiceError('forbidden', `This ${who} has no key for provider '${providerId}'.`, { code: 'provider_not_allowed' });
  }
  return keyId;
}
