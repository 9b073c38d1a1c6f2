/**
 * Names of Sluice's secrets in AWS Secrets Manager, shared by the runtime (which reads them) and the
 * CDK stack (which grants access to them). One secret per provider key.
 */
export const PROVIDER_KEY_SECRET_PREFIX = 'sluice/provider-keys/';

/** The signing key of Sluice's OAuth access tokens. */
export const OAUTH_SIGNING_KEY_SECRET = 'sluice/oauth/signing-key';

export function providerKeySecretName(provider: string, keyId: string): string {
  return `${PROVIDER_KEY_SECRET_PREFIX}${provider}/${keyId}`;
}
