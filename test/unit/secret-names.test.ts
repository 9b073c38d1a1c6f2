import { describe, expect, it } from 'vitest';
import {
  OAUTH_SIGNING_KEY_SECRET_NAME,
  PROVIDER_KEY_SECRET_PREFIX,
  parseProviderKeySecretName,
  providerKeySecretName,
  providerKeySecretPrefix,
} from '../../lib/secrets/secret-names.ts';

describe('secret names', () => {
  it('names a provider key sluice/provider-keys/<provider>/<keyId>', () => {
    expect(PROVIDER_KEY_SECRET_PREFIX).toBe('sluice/provider-keys/');
    expect(providerKeySecretPrefix('openai')).toBe('sluice/provider-keys/openai/');
    expect(providerKeySecretName('openai', 'team-a')).toBe('sluice/provider-keys/openai/team-a');
    expect(providerKeySecretName('model-router', 'k_1.v2@x+y=z')).toBe('sluice/provider-keys/model-router/k_1.v2@x+y=z');
    expect(OAUTH_SIGNING_KEY_SECRET_NAME).toBe('sluice/oauth/signing-key');
  });

  it.each([
    ['OpenAI', 'k'],
    ['open/ai', 'k'],
    ['', 'k'],
    ['openai', ''],
    ['openai', 'a/b'],
    ['openai', '..'],
    ['openai', 'white space'],
    ['openai', 'x'.repeat(129)],
  ])('refuses provider %j with key id %j, so a name cannot leave its provider', (provider, keyId) => {
    expect(() => providerKeySecretName(provider, keyId)).toThrow(/provider|key id/);
  });

  it('reads the provider and key id back from a name, and nothing from other names', () => {
    expect(parseProviderKeySecretName('sluice/provider-keys/groq/default')).toEqual({ provider: 'groq', keyId: 'default' });
    expect(parseProviderKeySecretName(providerKeySecretName('bedrock', 'prod'))).toEqual({ provider: 'bedrock', keyId: 'prod' });
    for (const name of [
      'sluice/oauth/signing-key',
      'sluice/provider-keys/groq',
      'sluice/provider-keys/groq/a/b',
      'sluice/provider-keys/Groq/a',
      'other/provider-keys/groq/a',
    ]) {
      expect(parseProviderKeySecretName(name), name).toBeUndefined();
    }
  });
});
