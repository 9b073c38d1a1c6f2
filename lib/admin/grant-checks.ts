import type { ProfileAuth } from '../auth/profile-auth.ts';
import { SluiceError } from '../errors/sluice-error.ts';
import type { Runtime } from '../runtime.ts';

/** Every profile named exists; a 400 naming the first that does not. */
export async function assertProfilesExist(runtime: Runtime, profileIds: readonly string[]): Promise<void> {
  for (const id of new Set(profileIds)) {
    runtime.profiles.invalidate(id);
    if (!(await runtime.profiles.get(id))) {
      throw new SluiceError('bad_request', `Profile '${id}' does not exist.`, { code: 'unknown_profile', param: 'profiles' });
    }
  }
}

/** Every provider key a mapping names exists; a 400 naming the first that does not. */
export async function assertProviderKeysExist(runtime: Runtime, mapping: Record<string, string> | undefined): Promise<void> {
  for (const [provider, keyId] of Object.entries(mapping ?? {})) {
    if (!(await runtime.providerKeys.get(provider, keyId))) {
      throw new SluiceError('bad_request', `Provider key '${provider}/${keyId}' does not exist; create it first.`, {
        code: 'unknown_provider_key',
        param: 'providerKeys',
      });
    }
  }
}

export async function assertProfileAuthValid(runtime: Runtime, auth: ProfileAuth | null | undefined): Promise<void> {
  if (!auth?.jwks) return;
  await assertProviderKeysExist(runtime, auth.jwks.providerKeys);
  for (const rule of auth.jwks.rules ?? []) await assertProviderKeysExist(runtime, rule.providerKeys);
}
