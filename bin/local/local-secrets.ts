import { join, resolve } from 'node:path';
import type { Config } from '../../lib/config/index.ts';
import type { SecretServices } from '../../lib/runtime.ts';
import { LocalProviderKeyStore, LocalSecretFile, LocalSigningKey } from '../../lib/secrets/local-secret-file.ts';

/** Locally, provider keys and the OAuth signing key live in `<dataDir>/secrets.json` (mode 0600) instead of Secrets Manager. */
export function localSecretServices(config: Config): SecretServices {
  const file = new LocalSecretFile(join(resolve(config.server.dataDir), 'secrets.json'));
  return { providerKeys: new LocalProviderKeyStore(file), signingKey: new LocalSigningKey(file) };
}
