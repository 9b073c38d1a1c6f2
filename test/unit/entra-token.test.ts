import type { AccessToken, TokenCredential } from '@azure/identity';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../lib/config/index.ts';
import { SluiceError } from '../../lib/errors/sluice-error.ts';
import type { SluiceRequest } from '../../lib/http/request.ts';
import { defaultProfile } from '../../lib/profiles/profile.ts';
import { createAnthropicProvider } from '../../lib/providers/anthropic/provider.ts';
import { EntraTokenCache } from '../../lib/providers/shared/entra-token.ts';

const SCOPE = 'https://ai.azure.com/.default';
const MINUTE = 60_000;

/** A token source whose answers the test scripts, counting each call. */
class ScriptedCredential implements TokenCredential {
  calls: Array<string | string[]> = [];
  private readonly answers: Array<() => Promise<AccessToken | null>>;

  constructor(...answers: Array<() => Promise<AccessToken | null>>) {
    this.answers = answers;
  }

  getToken(scopes: string | string[]): Promise<AccessToken | null> {
    this.calls.push(scopes);
    const answer = this.answers[Math.min(this.calls.length - 1, this.answers.length - 1)]!;
    return answer();
  }
}

const token = (value: string, expiresOnTimestamp: number, refreshAfterTimestamp?: number) => async (): Promise<AccessToken> => ({
  token: value,
  expiresOnTimestamp,
  refreshAfterTimestamp,
  tokenType: 'Bearer',
});
const failure = (message: string) => async (): Promise<AccessToken> => {
  throw new Error(message);
};

function clock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('EntraTokenCache', () => {
  it('asks the credential once for the scope and reuses the token until near expiry', async () => {
    const time = clock();
    const credential = new ScriptedCredential(token('t1', time.now() + 60 * MINUTE), token('t2', time.now() + 120 * MINUTE));
    let factoryCalls = 0;
    const cache = new EntraTokenCache(SCOPE, () => (factoryCalls++, credential), { now: time.now });

    expect(await cache.token()).toBe('t1');
    time.advance(50 * MINUTE);
    expect(await cache.token()).toBe('t1');
    expect(credential.calls).toEqual([SCOPE]);

    time.advance(6 * MINUTE); // four minutes before expiry: inside the five-minute margin
    expect(await cache.token()).toBe('t2');
    expect(credential.calls).toHaveLength(2);
    expect(factoryCalls).toBe(1);
  });

  it("refreshes at the credential's refreshAfterTimestamp when it comes first", async () => {
    const time = clock();
    const credential = new ScriptedCredential(
      token('t1', time.now() + 60 * MINUTE, time.now() + 30 * MINUTE),
      token('t2', time.now() + 90 * MINUTE),
    );
    const cache = new EntraTokenCache(SCOPE, () => credential, { now: time.now });
    expect(await cache.token()).toBe('t1');
    time.advance(29 * MINUTE);
    expect(await cache.token()).toBe('t1');
    time.advance(2 * MINUTE);
    expect(await cache.token()).toBe('t2');
  });

  it('lets concurrent callers share one fetch', async () => {
    let release: (value: AccessToken) => void = () => undefined;
    const credential = new ScriptedCredential(() => new Promise<AccessToken>((resolve) => (release = resolve)));
    const cache = new EntraTokenCache(SCOPE, () => credential);
    const waiting = Promise.all([cache.token(), cache.token(), cache.token()]);
    await Promise.resolve();
    await Promise.resolve();
    release({ token: 'shared', expiresOnTimestamp: Date.now() + 60 * MINUTE });
    expect(await waiting).toEqual(['shared', 'shared', 'shared']);
    expect(credential.calls).toHaveLength(1);
  });

  it('fails with an upstream_error that says why, and tries again on the next call', async () => {
    const credential = new ScriptedCredential(
      failure('DefaultAzureCredential failed to retrieve a token from the included credentials.\nAttempted credentials: ...'),
      token('t-after', Date.now() + 60 * MINUTE),
    );
    const cache = new EntraTokenCache(SCOPE, () => credential);
    const error = await cache.token().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SluiceError);
    expect(error).toMatchObject({ kind: 'upstream_error', status: 502, code: 'upstream_credential_unavailable' });
    expect((error as SluiceError).message).toBe(
      `Could not get a Microsoft Entra ID token for ${SCOPE}: DefaultAzureCredential failed to retrieve a token from the included credentials.`,
    );
    expect(await cache.token()).toBe('t-after');
  });

  it('keeps using a still-valid token when its refresh fails, and fails once it has expired', async () => {
    const time = clock();
    const credential = new ScriptedCredential(token('t1', time.now() + 10 * MINUTE), failure('identity endpoint down'));
    const cache = new EntraTokenCache(SCOPE, () => credential, { now: time.now });
    expect(await cache.token()).toBe('t1');
    time.advance(7 * MINUTE);
    expect(await cache.token()).toBe('t1');
    expect(credential.calls).toHaveLength(2);
    time.advance(4 * MINUTE);
    await expect(cache.token()).rejects.toThrow(/identity endpoint down/);
  });

  it('treats a credential that returns no token as a failure', async () => {
    const cache = new EntraTokenCache(SCOPE, () => new ScriptedCredential(async () => null));
    await expect(cache.token()).rejects.toThrow(/the credential returned no token/);
  });
});

function request(headers: Record<string, string>): SluiceRequest {
  return {
    method: 'POST',
    path: '/v1/anthropic/v1/messages',
    query: new URLSearchParams(),
    headers,
    body: Buffer.from(JSON.stringify({ model: 'claude', max_tokens: 5, messages: [] })),
    sourceIp: '127.0.0.1',
    requestId: 'r',
    receivedAt: 0,
  };
}

async function prepareWith(env: Record<string, string>, credential: TokenCredential, headers: Record<string, string>) {
  const provider = createAnthropicProvider({ entraCredential: () => credential });
  const config = loadConfig(env);
  const call = await provider.endpoints[0]!.prepare({
    request: request(headers),
    params: {},
    profile: defaultProfile(),
    config,
    apiKey: provider.clientKey(request(headers)) ?? provider.defaultKey(config),
    baseUrl: provider.baseUrl(config)!,
  });
  return { provider, config, call };
}

describe('the Anthropic provider on Microsoft Foundry', () => {
  const foundry = { SLUICE_ANTHROPIC_BASE_URL: 'https://res.services.ai.azure.com/anthropic' };

  it('with Entra ID enabled, needs no client key and sends the token for the Foundry scope instead of any key', async () => {
    const credential = new ScriptedCredential(token('entra-t', Date.now() + 60 * MINUTE));
    const { provider, config, call } = await prepareWith(
      { ...foundry, SLUICE_ANTHROPIC_AZURE_FOUNDRY_ENTRA_ID_ENABLED: 'true' },
      credential,
      { 'x-api-key': 'client-key', 'anthropic-version': '2023-06-01' },
    );
    expect(provider.keyRequired(config)).toBe(false);
    expect(call.url).toBe('https://res.services.ai.azure.com/anthropic/v1/messages');
    expect(call.headers.authorization).toBe('Bearer entra-t');
    expect(call.headers['x-api-key']).toBeUndefined();
    expect(call.headers['anthropic-version']).toBe('2023-06-01');
    expect(credential.calls).toEqual([SCOPE]);
  });

  it('without Entra ID, sends the key as x-api-key and never asks for a token', async () => {
    const credential = new ScriptedCredential(failure('must not be called'));
    const { provider, config, call } = await prepareWith(foundry, credential, { authorization: 'Bearer foundry-key' });
    expect(provider.keyRequired(config)).toBe(true);
    expect(call.headers['x-api-key']).toBe('foundry-key');
    expect(call.headers.authorization).toBeUndefined();
    expect(credential.calls).toHaveLength(0);
  });

  it('rejects a flag value that is not a boolean, naming the variable', async () => {
    const provider = createAnthropicProvider({ entraCredential: () => new ScriptedCredential() });
    const config = loadConfig({ SLUICE_ANTHROPIC_AZURE_FOUNDRY_ENTRA_ID_ENABLED: 'maybe' });
    expect(() => provider.keyRequired(config)).toThrow(ConfigError);
    expect(() => provider.keyRequired(config)).toThrow(/SLUICE_ANTHROPIC_AZURE_FOUNDRY_ENTRA_ID_ENABLED/);
  });
});
