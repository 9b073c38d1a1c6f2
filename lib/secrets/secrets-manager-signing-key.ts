import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ParameterNotFoundError } from '@aws-lambda-powertools/parameters/errors';
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { OAUTH_SIGNING_KEY_SECRET } from './secret-names.ts';
import { MIN_SIGNING_KEY_BYTES, type SigningKeySource } from './provider-key-store.ts';

/**
 * The OAuth token signing key from the secret the stack creates (OAUTH_SIGNING_KEY_SECRET), read
 * through Powertools Parameters with a cache. Its text, as UTF-8 bytes, is the HS256 key.
 */
export class SecretsManagerSigningKey implements SigningKeySource {
  private readonly reader: SecretsProvider;
  private readonly cacheSeconds: number;

  constructor(client: SecretsManagerClient, cacheSeconds: number) {
    this.reader = new SecretsProvider({ awsSdkV3Client: client });
    this.cacheSeconds = cacheSeconds;
  }

  async get(): Promise<Uint8Array> {
    let value: unknown;
    try {
      value = await this.reader.get(OAUTH_SIGNING_KEY_SECRET, { maxAge: this.cacheSeconds, throwOnMissing: true });
    } catch (error) {
      if (error instanceof ParameterNotFoundError) {
        throw new Error(`The secret ${OAUTH_SIGNING_KEY_SECRET} does not exist; the Sluice stack creates it.`, { cause: error });
      }
      throw error;
    }
    const bytes = typeof value === 'string' ? new TextEncoder().encode(value) : (value as Uint8Array);
    if (bytes.byteLength < MIN_SIGNING_KEY_BYTES) {
      throw new Error(`The secret ${OAUTH_SIGNING_KEY_SECRET} is shorter than ${MIN_SIGNING_KEY_BYTES} bytes.`);
    }
    return bytes;
  }
}
