import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname } from 'node:path';
import {
  providerKeyExists,
  type NewProviderKey,
  type ProviderKeyInfo,
  type ProviderKeyPatch,
  type ProviderKeySecret,
  type ProviderKeyStore,
  type SigningKeySource,
} from './provider-key-store.ts';

interface StoredProviderKey extends ProviderKeyInfo {
  apiKey: string;
}

interface SecretFileContent {
  providerKeys: Record<string, StoredProviderKey>;
  /** base64url; made on first use. */
  oauthSigningKey?: string;
}

const OWNER_ONLY = 0o600;

/**
 * The local stand-in for Secrets Manager: one JSON file (for example `.sluice/secrets.json`) that
 * only its owner may read or write (mode 0600). One process (the local server) owns it; every
 * change is written whole to a temporary file and renamed over the old one.
 */
export class LocalSecretFile {
  readonly path: string;
  private content: SecretFileContent | undefined;

  constructor(path: string) {
    this.path = path;
  }

  read(): SecretFileContent {
    if (this.content) return this.content;
    if (!existsSync(this.path)) {
      this.content = { providerKeys: {} };
      return this.content;
    }
    if ((statSync(this.path).mode & 0o777) !== OWNER_ONLY) chmodSync(this.path, OWNER_ONLY);
    try {
      const parsed = JSON.parse(readFileSync(this.path, 'utf8')) as Partial<SecretFileContent>;
      this.content = { ...parsed, providerKeys: parsed.providerKeys ?? {} };
    } catch {
      throw new Error(`${this.path} is not valid JSON; fix or remove it.`);
    }
    return this.content;
  }

  write(content: SecretFileContent): void {
    mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
    const temporary = `${this.path}.${process.pid}.tmp`;
    writeFileSync(temporary, `${JSON.stringify(content, null, 2)}\n`, { mode: OWNER_ONLY });
    chmodSync(temporary, OWNER_ONLY);
    renameSync(temporary, this.path);
    this.content = content;
  }
}

const keyOf = (provider: string, id: string) => `${provider}/${id}`;

function info(stored: StoredProviderKey): ProviderKeyInfo {
  const { apiKey: _secret, ...rest } = stored;
  return rest;
}

/** Provider keys in the local secret file. */
export class LocalProviderKeyStore implements ProviderKeyStore {
  private readonly file: LocalSecretFile;

  constructor(file: LocalSecretFile) {
    this.file = file;
  }

  async resolve(provider: string, id: string): Promise<ProviderKeySecret | undefined> {
    const stored = this.file.read().providerKeys[keyOf(provider, id)];
    if (!stored) return undefined;
    return stored.baseUrl ? { apiKey: stored.apiKey, baseUrl: stored.baseUrl } : { apiKey: stored.apiKey };
  }

  async get(provider: string, id: string): Promise<ProviderKeyInfo | undefined> {
    const stored = this.file.read().providerKeys[keyOf(provider, id)];
    return stored ? info(stored) : undefined;
  }

  async list(provider?: string): Promise<ProviderKeyInfo[]> {
    return Object.values(this.file.read().providerKeys)
      .filter((key) => provider === undefined || key.provider === provider)
      .map(info)
      .sort((a, b) => keyOf(a.provider, a.id).localeCompare(keyOf(b.provider, b.id)));
  }

  async create(key: NewProviderKey): Promise<ProviderKeyInfo> {
    const content = this.file.read();
    const name = keyOf(key.provider, key.id);
    if (content.providerKeys[name]) throw providerKeyExists(key.provider, key.id);
    const now = new Date().toISOString();
    const stored: StoredProviderKey = { provider: key.provider, id: key.id, apiKey: key.apiKey, createdAt: now, updatedAt: now };
    if (key.name) stored.name = key.name;
    if (key.baseUrl) stored.baseUrl = key.baseUrl;
    this.file.write({ ...content, providerKeys: { ...content.providerKeys, [name]: stored } });
    return info(stored);
  }

  async update(provider: string, id: string, patch: ProviderKeyPatch): Promise<ProviderKeyInfo | undefined> {
    const content = this.file.read();
    const name = keyOf(provider, id);
    const current = content.providerKeys[name];
    if (!current) return undefined;
    const next: StoredProviderKey = { ...current, updatedAt: new Date().toISOString() };
    if (patch.name !== undefined) next.name = patch.name;
    if (patch.apiKey !== undefined) next.apiKey = patch.apiKey;
    if (patch.baseUrl === null) delete next.baseUrl;
    else if (patch.baseUrl !== undefined) next.baseUrl = patch.baseUrl;
    this.file.write({ ...content, providerKeys: { ...content.providerKeys, [name]: next } });
    return info(next);
  }

  async delete(provider: string, id: string): Promise<boolean> {
    const content = this.file.read();
    const name = keyOf(provider, id);
    if (!content.providerKeys[name]) return false;
    const { [name]: _removed, ...rest } = content.providerKeys;
    this.file.write({ ...content, providerKeys: rest });
    return true;
  }
}

/** The OAuth signing key in the local secret file, made (32 random bytes) the first time it is needed. */
export class LocalSigningKey implements SigningKeySource {
  private readonly file: LocalSecretFile;

  constructor(file: LocalSecretFile) {
    this.file = file;
  }

  async get(): Promise<Uint8Array> {
    const content = this.file.read();
    if (content.oauthSigningKey) return Buffer.from(content.oauthSigningKey, 'base64url');
    const key = randomBytes(32);
    this.file.write({ ...content, oauthSigningKey: key.toString('base64url') });
    return key;
  }
}
