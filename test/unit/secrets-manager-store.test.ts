import {
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  ListSecretsCommand,
  PutSecretValueCommand,
  ResourceExistsException,
  ResourceNotFoundException,
  SecretsManagerClient,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateSecretCommand,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { SluiceError } from '../../lib/errors/sluice-error.ts';
import { OAUTH_SIGNING_KEY_SECRET, PROVIDER_KEY_SECRET_PREFIX, providerKeySecretName } from '../../lib/secrets/secret-names.ts';
import { SecretsManagerProviderKeyStore } from '../../lib/secrets/secrets-manager-provider-key-store.ts';
import { SecretsManagerSigningKey } from '../../lib/secrets/secrets-manager-signing-key.ts';

const secretsManager = mockClient(SecretsManagerClient);
const notFound = () => new ResourceNotFoundException({ message: "Secrets Manager can't find the specified secret.", $metadata: {} });

let client: SecretsManagerClient;
let store: SecretsManagerProviderKeyStore;

beforeEach(() => {
  secretsManager.reset();
  client = new SecretsManagerClient({ region: 'eu-west-1' });
  store = new SecretsManagerProviderKeyStore(client, 60);
});

describe('secret names (shared with the stack)', () => {
  it('names one secret per provider key', () => {
    expect(PROVIDER_KEY_SECRET_PREFIX).toBe('sluice/provider-keys/');
    expect(providerKeySecretName('openai', 'prod')).toBe('sluice/provider-keys/openai/prod');
    expect(OAUTH_SIGNING_KEY_SECRET).toBe('sluice/oauth/signing-key');
  });
});

describe('SecretsManagerProviderKeyStore', () => {
  it('reads a key through the Powertools cache: one GetSecretValue for repeated reads', async () => {
    secretsManager
      .on(GetSecretValueCommand, { SecretId: 'sluice/provider-keys/openai/prod' })
      .resolves({ SecretString: JSON.stringify({ apiKey: 'sk-real', baseUrl: 'https://proxy.example/v1' }) });
    expect(await store.resolve('openai', 'prod')).toEqual({ apiKey: 'sk-real', baseUrl: 'https://proxy.example/v1' });
    expect(await store.resolve('openai', 'prod')).toEqual({ apiKey: 'sk-real', baseUrl: 'https://proxy.example/v1' });
    expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(1);
  });

  it('reads a secret made by hand that holds only the key as text', async () => {
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: 'sk-plain-text-key\n' });
    expect(await store.resolve('openai', 'manual')).toEqual({ apiKey: 'sk-plain-text-key' });
  });

  it('answers undefined for a key that does not exist', async () => {
    secretsManager.on(GetSecretValueCommand).rejects(notFound());
    expect(await store.resolve('openai', 'gone')).toBeUndefined();
  });

  it('refuses a malformed secret without quoting any of it', async () => {
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: '{"apiKey": "sk-half-a-secret' });
    const error = await store.resolve('openai', 'broken').catch((caught: Error) => caught);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toContain('sluice/provider-keys/openai/broken');
    expect((error as Error).message).not.toContain('sk-half');
  });

  it('creates one secret with the key as JSON and the non-secret facts as tags', async () => {
    secretsManager.on(CreateSecretCommand).resolves({});
    const info = await store.create({ provider: 'openai', id: 'prod', name: 'Production', apiKey: 'sk-new', baseUrl: 'https://gw.example/v1' });
    expect(info).toMatchObject({ provider: 'openai', id: 'prod', name: 'Production', baseUrl: 'https://gw.example/v1' });
    expect(info).not.toHaveProperty('apiKey');
    const [call] = secretsManager.commandCalls(CreateSecretCommand);
    expect(call!.args[0].input).toEqual({
      Name: 'sluice/provider-keys/openai/prod',
      Description: 'Production',
      SecretString: JSON.stringify({ apiKey: 'sk-new', baseUrl: 'https://gw.example/v1' }),
      Tags: [
        { Key: 'sluice:provider', Value: 'openai' },
        { Key: 'sluice:key-id', Value: 'prod' },
        { Key: 'sluice:base-url', Value: 'https://gw.example/v1' },
      ],
    });
  });

  it('reports an existing key as a 409', async () => {
    secretsManager.on(CreateSecretCommand).rejects(new ResourceExistsException({ message: 'exists', $metadata: {} }));
    const error = await store.create({ provider: 'openai', id: 'prod', apiKey: 'sk' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SluiceError);
    expect((error as SluiceError).status).toBe(409);
  });

  it('lists keys from every page without reading a secret value', async () => {
    const created = new Date('2026-01-01T00:00:00Z');
    secretsManager
      .on(ListSecretsCommand, { NextToken: undefined })
      .resolves({
        SecretList: [
          { Name: 'sluice/provider-keys/openai/prod', Description: 'Prod', CreatedDate: created, Tags: [{ Key: 'sluice:base-url', Value: 'https://gw/v1' }] },
          { Name: 'sluice/provider-keys/openai/extra/part' },
        ],
        NextToken: 'page-2',
      })
      .on(ListSecretsCommand, { NextToken: 'page-2' })
      .resolves({ SecretList: [{ Name: 'sluice/provider-keys/anthropic/main' }, { Name: 'sluice/provider-keys/openai/old', DeletedDate: created }] });
    const keys = await store.list();
    expect(keys).toEqual([
      { provider: 'anthropic', id: 'main' },
      { provider: 'openai', id: 'prod', name: 'Prod', baseUrl: 'https://gw/v1', createdAt: created.toISOString() },
    ]);
    expect(secretsManager.commandCalls(ListSecretsCommand)[0]!.args[0].input.Filters).toEqual([
      { Key: 'name', Values: ['sluice/provider-keys/'] },
    ]);
    expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(0);
  });

  it('rotates the key, keeps the base URL, renames, and drops the cached value', async () => {
    secretsManager
      .on(DescribeSecretCommand)
      .resolves({ Name: 'sluice/provider-keys/openai/prod', Description: 'New name' })
      .on(GetSecretValueCommand)
      .resolvesOnce({ SecretString: JSON.stringify({ apiKey: 'sk-old' }) })
      .resolvesOnce({ SecretString: JSON.stringify({ apiKey: 'sk-old', baseUrl: 'https://gw/v1' }) })
      .resolves({ SecretString: JSON.stringify({ apiKey: 'sk-rotated', baseUrl: 'https://gw/v1' }) });
    expect(await store.resolve('openai', 'prod')).toEqual({ apiKey: 'sk-old' });
    const info = await store.update('openai', 'prod', { apiKey: 'sk-rotated', name: 'New name' });
    expect(info).toMatchObject({ name: 'New name' });
    expect(secretsManager.commandCalls(PutSecretValueCommand)[0]!.args[0].input).toEqual({
      SecretId: 'sluice/provider-keys/openai/prod',
      SecretString: JSON.stringify({ apiKey: 'sk-rotated', baseUrl: 'https://gw/v1' }),
    });
    expect(secretsManager.commandCalls(UpdateSecretCommand)[0]!.args[0].input).toEqual({
      SecretId: 'sluice/provider-keys/openai/prod',
      Description: 'New name',
    });
    expect(await store.resolve('openai', 'prod')).toEqual({ apiKey: 'sk-rotated', baseUrl: 'https://gw/v1' });
  });

  it('removes a base URL from the value and the tags', async () => {
    secretsManager
      .on(DescribeSecretCommand)
      .resolves({ Name: 'sluice/provider-keys/openai/prod' })
      .on(GetSecretValueCommand)
      .resolves({ SecretString: JSON.stringify({ apiKey: 'sk', baseUrl: 'https://gw/v1' }) });
    await store.update('openai', 'prod', { baseUrl: null });
    expect(secretsManager.commandCalls(PutSecretValueCommand)[0]!.args[0].input.SecretString).toBe(JSON.stringify({ apiKey: 'sk' }));
    expect(secretsManager.commandCalls(UntagResourceCommand)[0]!.args[0].input.TagKeys).toEqual(['sluice:base-url']);
    expect(secretsManager.commandCalls(TagResourceCommand)).toHaveLength(0);
  });

  it('answers undefined when updating a key that does not exist', async () => {
    secretsManager.on(DescribeSecretCommand).rejects(notFound());
    expect(await store.update('openai', 'gone', { name: 'x' })).toBeUndefined();
    expect(secretsManager.commandCalls(UpdateSecretCommand)).toHaveLength(0);
  });

  it('deletes without a recovery window, so the id can be used again', async () => {
    secretsManager.on(DeleteSecretCommand).resolvesOnce({}).rejects(notFound());
    expect(await store.delete('openai', 'prod')).toBe(true);
    expect(secretsManager.commandCalls(DeleteSecretCommand)[0]!.args[0].input).toEqual({
      SecretId: 'sluice/provider-keys/openai/prod',
      ForceDeleteWithoutRecovery: true,
    });
    expect(await store.delete('openai', 'prod')).toBe(false);
  });
});

describe('SecretsManagerSigningKey', () => {
  it('reads the signing key secret once and uses its bytes', async () => {
    const value = 'x'.repeat(48);
    secretsManager.on(GetSecretValueCommand, { SecretId: OAUTH_SIGNING_KEY_SECRET }).resolves({ SecretString: value });
    const key = new SecretsManagerSigningKey(client, 60);
    expect(Buffer.from(await key.get()).toString()).toBe(value);
    await key.get();
    expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(1);
  });

  it('refuses a key that is too short or missing, naming the secret', async () => {
    secretsManager.on(GetSecretValueCommand).resolvesOnce({ SecretString: 'short' }).rejects(notFound());
    const key = new SecretsManagerSigningKey(client, 0);
    await expect(key.get()).rejects.toThrow(/sluice\/oauth\/signing-key is shorter than 32 bytes/);
    await expect(key.get()).rejects.toThrow(/sluice\/oauth\/signing-key does not exist/);
  });
});
