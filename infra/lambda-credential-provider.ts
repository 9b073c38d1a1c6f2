import { fromEnv, type FromEnvInit } from '@aws-sdk/credential-provider-env';
import type { AwsCredentialIdentityProvider } from '@smithy/types';

/**
 * What the function bundles get for `@aws-sdk/credential-provider-node` (see
 * infra/bundle-aliases.ts): the credentials in the environment, which is where Lambda puts the
 * execution role's, and the first place the default chain looks. Its other sources (SSO, ini and
 * process profiles, web identity, container and instance metadata) are never reached on Lambda, yet
 * their code, with the STS, SSO and sign-in clients they carry, was a fifth of every bundle and
 * ≈15 ms of every cold start. Outside the bundles (the local server, the CLI) the full chain stays.
 */
export function defaultProvider(init: FromEnvInit = {}): AwsCredentialIdentityProvider {
  return fromEnv(init);
}
