import {
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  ListSecretsCommand,
  PutSecretValueCommand,
  ResourceExistsException,
  ResourceNotFoundException,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateSecretCommand,
  type SecretsManagerClient,
  type Tag,
} from '@aws-sdk/client-secrets-manager';
import { ParameterNotFoundError } from '@aws-lambda-powertools/parameters/errors';
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { PROVIDER_KEY_SECRET_PREFIX, providerKeySecretName } from './secret-names.ts';
import {
  parseProviderKeySecret,
  providerKeyExists,
  serializeProviderKeySecret,
  type NewProviderKey,
  type ProviderKeyInfo,
  type ProviderKeyPatch,
  type ProviderKeySecret,
  type ProviderKeyStore,
} from './provider-key-store.ts';

/** Non-secret facts about a key ride on the secret as tags, so a listing never reads a secret value. */
const TAG_PROVIDER = 'sluice:provider';
const TAG_KEY_ID = 'sluice:key-id';
const TAG_BASE_URL = 'sluice:base-url';

interface SecretMetadata {
  Name?: string;
  Description?: string;
  Tags?: Tag[];
  CreatedDate?: Date;
  LastChangedDate?: Date;
  DeletedDate?: Date;
}

function tag(tags: Tag[] | undefined, key: string): string | undefined {
  return tags?.find((t) => t.Key === key)?.Value || undefined;
}

/** `sluice/provider-keys/<provider>/<id>` back into its parts, or undefined for any other name. */
function parseName(name: string | undefined): { provider: string; id: string } | undefined {
  if (!name?.startsWith(PROVIDER_KEY_SECRET_PREFIX)) return undefined;
  const [provider, id, ...rest] = name.slice(PROVIDER_KEY_SECRET_PREFIX.length).split('/');
  if (!provider || !id || rest.length > 0) return undefined;
  return { provider, id };
}

function toInfo(secret: SecretMetadata): ProviderKeyInfo | undefined {
  const parts = parseName(secret.Name);
  if (!parts || secret.DeletedDate) return undefined;
  const info: ProviderKeyInfo = { provider: parts.provider, id: parts.id };
  if (secret.Description) info.name = secret.Description;
  const baseUrl = tag(secret.Tags, TAG_BASE_URL);
  if (baseUrl) info.baseUrl = baseUrl;
  if (secret.CreatedDate) info.createdAt = secret.CreatedDate.toISOString();
  if (secret.LastChangedDate) info.updatedAt = secret.LastChangedDate.toISOString();
  return info;
}

/**
 * Provider keys in AWS Secrets Manager, one secret per key, named by providerKeySecretName. The
 * request path reads them through Powertools Parameters' SecretsProvider, which caches each value
 * for `cacheSeconds`; the admin API writes them with the SDK client.
 */
export class SecretsManagerProviderKeyStore implements ProviderKeyStore {
  private readonly client: SecretsManagerClient;
  private readonly reader: SecretsProvider;
  private readonly cacheSeconds: number;

  constructor(client: SecretsManagerClient, cacheSeconds: number) {
    this.client = client;
    this.reader = new SecretsProvider({ awsSdkV3Client: client });
    this.cacheSeconds = cacheSeconds;
  }

  async resolve(provider: string, id: string): Promise<ProviderKeySecret | undefined> {
    const name = providerKeySecretName(provider, id);
    let value: unknown;
    try {
      value = await this.reader.get(name, { maxAge: this.cacheSeconds, throwOnMissing: true });
    } catch (error) {
      if (error instanceof ParameterNotFoundError) return undefined;
      throw error;
    }
    if (typeof value !== 'string') throw new Error(`The secret ${name} is binary; a provider key is text.`);
    return parseProviderKeySecret(value, name);
  }

  async get(provider: string, id: string): Promise<ProviderKeyInfo | undefined> {
    try {
      const secret = await this.client.send(new DescribeSecretCommand({ SecretId: providerKeySecretName(provider, id) }));
      return toInfo(secret);
    } catch (error) {
      if (error instanceof ResourceNotFoundException) return undefined;
      throw error;
    }
  }

  async list(provider?: string): Promise<ProviderKeyInfo[]> {
    const prefix = provider ? `${PROVIDER_KEY_SECRET_PREFIX}${provider}/` : PROVIDER_KEY_SECRET_PREFIX;
    const keys: ProviderKeyInfo[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.client.send(
        new ListSecretsCommand({ Filters: [{ Key: 'name', Values: [prefix] }], NextToken: nextToken, MaxResults: 100 }),
      );
      for (const secret of page.SecretList ?? []) {
        const info = secret.Name?.startsWith(prefix) ? toInfo(secret) : undefined;
        if (info) keys.push(info);
      }
      nextToken = page.NextToken;
    } while (nextToken);
    return keys.sort((a, b) => `${a.provider}/${a.id}`.localeCompare(`${b.provider}/${b.id}`));
  }

  async create(key: NewProviderKey): Promise<ProviderKeyInfo> {
    const tags: Tag[] = [
      { Key: TAG_PROVIDER, Value: key.provider },
      { Key: TAG_KEY_ID, Value: key.id },
    ];
    if (key.baseUrl) tags.push({ Key: TAG_BASE_URL, Value: key.baseUrl });
    try {
      await this.client.send(
        new CreateSecretCommand({
          Name: providerKeySecretName(key.provider, key.id),
          Description: key.name,
          SecretString: serializeProviderKeySecret({ apiKey: key.apiKey, baseUrl: key.baseUrl }),
          Tags: tags,
        }),
      );
    } catch (error) {
      if (error instanceof ResourceExistsException) throw providerKeyExists(key.provider, key.id);
      throw error;
    }
    const now = new Date().toISOString();
    const info: ProviderKeyInfo = { provider: key.provider, id: key.id, createdAt: now, updatedAt: now };
    if (key.name) info.name = key.name;
    if (key.baseUrl) info.baseUrl = key.baseUrl;
    return info;
  }

  async update(provider: string, id: string, patch: ProviderKeyPatch): Promise<ProviderKeyInfo | undefined> {
    const secretId = providerKeySecretName(provider, id);
    if (!(await this.get(provider, id))) return undefined;
    if (patch.apiKey !== undefined || patch.baseUrl !== undefined) {
      const current = await this.client.send(new GetSecretValueCommand({ SecretId: secretId }));
      const secret = parseProviderKeySecret(current.SecretString ?? '', secretId);
      const next: ProviderKeySecret = { apiKey: patch.apiKey ?? secret.apiKey };
      const baseUrl = patch.baseUrl === null ? undefined : (patch.baseUrl ?? secret.baseUrl);
      if (baseUrl) next.baseUrl = baseUrl;
      await this.client.send(new PutSecretValueCommand({ SecretId: secretId, SecretString: serializeProviderKeySecret(next) }));
    }
    if (patch.name !== undefined) {
      await this.client.send(new UpdateSecretCommand({ SecretId: secretId, Description: patch.name }));
    }
    if (patch.baseUrl === null) {
      await this.client.send(new UntagResourceCommand({ SecretId: secretId, TagKeys: [TAG_BASE_URL] }));
    } else if (patch.baseUrl !== undefined) {
      await this.client.send(new TagResourceCommand({ SecretId: secretId, Tags: [{ Key: TAG_BASE_URL, Value: patch.baseUrl }] }));
    }
    this.reader.clearCache();
    return this.get(provider, id);
  }

  async delete(provider: string, id: string): Promise<boolean> {
    try {
      // Without a recovery window, so that the id can be used again at once.
      await this.client.send(
        new DeleteSecretCommand({ SecretId: providerKeySecretName(provider, id), ForceDeleteWithoutRecovery: true }),
      );
    } catch (error) {
      if (error instanceof ResourceNotFoundException) return false;
      throw error;
    }
    this.reader.clearCache();
    return true;
  }
}
