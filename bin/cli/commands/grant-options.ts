import { mapping, texts, type Values } from '../args.ts';

export const grantOptions = {
  profile: { type: 'string', multiple: true },
  'provider-key': { type: 'string', multiple: true },
} as const;

export const GRANT_ARGS = '--profile <id>… --provider-key <provider=keyId>…';

/** The profiles and provider-key mapping the flags give (only those given). */
export function grantFrom(values: Values): { profiles?: string[]; providerKeys?: Record<string, string> } {
  const grant: { profiles?: string[]; providerKeys?: Record<string, string> } = {};
  const profiles = texts(values, 'profile').flatMap((p) => p.split(',')).filter(Boolean);
  if (profiles.length) grant.profiles = profiles;
  const pairs = texts(values, 'provider-key');
  if (pairs.length) grant.providerKeys = mapping(pairs, 'provider-key');
  return grant;
}
