/**
 * Names of Sluice's secrets in AWS Secrets Manager, shared by the stack (which scopes IAM to them)
 * and the code that reads and writes them.
 *
 * A provider key is one secret, `sluice/provider-keys/<provider>/<keyId>`: the provider segment is a
 * route id (`openai`, `anthropic`, …), so a function's IAM can be limited to the providers it serves.
 */
export const PROVIDER_KEY_SECRET_PREFIX = 'sluice/provider-keys/';

/** The key Sluice signs its OAuth access tokens with. */
export const OAUTH_SIGNING_KEY_SECRET_NAME = 'sluice/oauth/signing-key';

const PROVIDER_SEGMENT = /^[a-z0-9][a-z0-9-]*$/;
/** Secrets Manager allows `A-Za-z0-9/_+=.@-` in names; `/` is excluded so a key id stays one segment. */
const KEY_ID_SEGMENT = /^[A-Za-z0-9_+=.@-]{1,128}$/;

export class SecretNameError extends Error {
  override name = 'SecretNameError';
}

/** `sluice/provider-keys/<provider>/`: every key of one provider lives under it. */
export function providerKeySecretPrefix(provider: string): string {
  if (!PROVIDER_SEGMENT.test(provider)) {
    throw new SecretNameError(`provider must be lower-case letters, digits and dashes (got ${JSON.stringify(provider)})`);
  }
  return `${PROVIDER_KEY_SECRET_PREFIX}${provider}/`;
}

export function providerKeySecretName(provider: string, keyId: string): string {
  if (!KEY_ID_SEGMENT.test(keyId) || keyId === '.' || keyId === '..') {
    throw new SecretNameError(
      `key id must be 1-128 of the characters A-Z a-z 0-9 _ + = . @ - (got ${JSON.stringify(keyId)})`,
    );
  }
  return `${providerKeySecretPrefix(provider)}${keyId}`;
}

/** The provider and key id of a provider-key secret name, or undefined for any other name. */
export function parseProviderKeySecretName(name: string): { provider: string; keyId: string } | undefined {
  if (!name.startsWith(PROVIDER_KEY_SECRET_PREFIX)) return undefined;
  const [provider, keyId, ...rest] = name.slice(PROVIDER_KEY_SECRET_PREFIX.length).split('/');
  if (rest.length > 0 || provider === undefined || keyId === undefined) return undefined;
  if (!PROVIDER_SEGMENT.test(provider) || !KEY_ID_SEGMENT.test(keyId) || keyId === '.' || keyId === '..') return undefined;
  return { provider, keyId };
}

/** The same name, as the auth code calls it. */
export const OAUTH_SIGNING_KEY_SECRET = OAUTH_SIGNING_KEY_SECRET_NAME;
