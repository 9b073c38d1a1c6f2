import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SluiceError } from '../../lib/errors/sluice-error.ts';
import { LocalProviderKeyStore, LocalSecretFile, LocalSigningKey } from '../../lib/secrets/local-secret-file.ts';

const scratch = mkdtempSync(join(tmpdir(), 'sluice-secrets-'));
let count = 0;
const fresh = () => join(scratch, String(++count), 'secrets.json');
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
const mode = (path: string) => statSync(path).mode & 0o777;

describe('the local secret file', () => {
  it('keeps provider keys in a file only its owner can read, across restarts', async () => {
    const path = fresh();
    const store = new LocalProviderKeyStore(new LocalSecretFile(path));
    const info = await store.create({ provider: 'openai', id: 'prod', apiKey: 'sk-local', name: 'Local', baseUrl: 'http://localhost:8000/v1' });
    expect(info).toMatchObject({ provider: 'openai', id: 'prod', name: 'Local', baseUrl: 'http://localhost:8000/v1' });
    expect(info).not.toHaveProperty('apiKey');
    expect(mode(path)).toBe(0o600);
    expect(mode(join(path, '..'))).toBe(0o700);

    const reopened = new LocalProviderKeyStore(new LocalSecretFile(path));
    expect(await reopened.resolve('openai', 'prod')).toEqual({ apiKey: 'sk-local', baseUrl: 'http://localhost:8000/v1' });
    expect(await reopened.list()).toEqual([expect.objectContaining({ provider: 'openai', id: 'prod' })]);
    expect(JSON.stringify(await reopened.list())).not.toContain('sk-local');
  });

  it('updates, refuses duplicates and deletes', async () => {
    const store = new LocalProviderKeyStore(new LocalSecretFile(fresh()));
    await store.create({ provider: 'openai', id: 'a', apiKey: 'sk-1', baseUrl: 'http://x/v1' });
    await expect(store.create({ provider: 'openai', id: 'a', apiKey: 'sk-2' })).rejects.toSatisfy(
      (error: unknown) => error instanceof SluiceError && error.status === 409,
    );
    expect(await store.update('openai', 'a', { apiKey: 'sk-3', baseUrl: null, name: 'A' })).toMatchObject({ name: 'A' });
    expect(await store.resolve('openai', 'a')).toEqual({ apiKey: 'sk-3' });
    expect(await store.update('openai', 'missing', { name: 'x' })).toBeUndefined();
    await store.create({ provider: 'anthropic', id: 'b', apiKey: 'sk-4' });
    expect((await store.list('anthropic')).map((k) => k.id)).toEqual(['b']);
    expect(await store.delete('openai', 'a')).toBe(true);
    expect(await store.delete('openai', 'a')).toBe(false);
    expect(await store.resolve('openai', 'a')).toBeUndefined();
  });

  it('tightens a file that others could read', async () => {
    const path = fresh();
    await new LocalProviderKeyStore(new LocalSecretFile(path)).create({ provider: 'openai', id: 'a', apiKey: 'sk' });
    chmodSync(path, 0o644);
    await new LocalProviderKeyStore(new LocalSecretFile(path)).list();
    expect(mode(path)).toBe(0o600);
  });

  it('makes the OAuth signing key once and keeps it', async () => {
    const path = fresh();
    const file = new LocalSecretFile(path);
    await new LocalProviderKeyStore(file).create({ provider: 'openai', id: 'a', apiKey: 'sk' });
    const first = await new LocalSigningKey(file).get();
    expect(first.byteLength).toBe(32);
    const again = await new LocalSigningKey(new LocalSecretFile(path)).get();
    expect(Buffer.from(again).equals(Buffer.from(first))).toBe(true);
    expect(JSON.parse(readFileSync(path, 'utf8')).providerKeys['openai/a'].apiKey).toBe('sk');
  });

  it('says which file is broken', async () => {
    const path = fresh();
    await new LocalProviderKeyStore(new LocalSecretFile(path)).create({ provider: 'openai', id: 'a', apiKey: 'sk' });
    writeFileSync(path, '{ not json');
    await expect(new LocalProviderKeyStore(new LocalSecretFile(path)).list()).rejects.toThrow(`${path} is not valid JSON`);
  });
});
