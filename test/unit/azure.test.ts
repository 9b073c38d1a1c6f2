import type { AccessToken, TokenCredential } from '@azure/identity';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../lib/config/index.ts';
import { SluiceError } from '../../lib/errors/sluice-error.ts';
import type { SluiceRequest } from '../../lib/http/request.ts';
import { azureUrlForm, entraScopeOf } from '../../lib/providers/azure/base-url.ts';
import { EntraTokens } from '../../lib/providers/azure/entra-token.ts';
import { matchAzureChat, matchAzureResponses } from '../../lib/providers/azure/paths.ts';
import { azureProvider } from '../../lib/providers/azure/provider.ts';
import { azureSettings } from '../../lib/providers/azure/settings.ts';
import { azureTarget } from '../../lib/providers/azure/target.ts';
import { defaultProfile } from '../../lib/profiles/profile.ts';
import type { PrepareInput } from '../../lib/providers/types.ts';

const HOUR = 3_600_000;

/** A credential whose tokens expire when the test says; counts its calls. */
class ScriptedCredential implements TokenCredential {
  calls = 0;
  next: () => AccessToken | null;
  constructor(next: () => AccessToken | null) {
    this.next = next;
  }
  async getToken(): Promise<AccessToken | null> {
    this.calls++;
    await Promise.resolve();
    return this.next();
  }
}

function tokensAt(clock: { now: number }, credential: TokenCredential): EntraTokens {
  const tokens = new EntraTokens(() => Promise.reject(new Error('no default credential in tests')), () => clock.now);
  tokens.useCredential(credential);
  return tokens;
}

describe('EntraTokens', () => {
  it('reuses a token until five minutes before it expires, then asks again', async () => {
    const clock = { now: 1_000_000 };
    let issued = 0;
    const credential = new ScriptedCredential(() => ({ token: `t${++issued}`, expiresOnTimestamp: clock.now + HOUR }));
    const tokens = tokensAt(clock, credential);
    expect(await tokens.token('scope-a')).toBe('t1');
    clock.now += HOUR - 5 * 60_000 - 1;
    expect(await tokens.token('scope-a')).toBe('t1');
    clock.now += 1;
    expect(await tokens.token('scope-a')).toBe('t2');
    expect(credential.calls).toBe(2);
  });

  it('honours refreshAfterTimestamp when the credential gives one, and keeps scopes apart', async () => {
    const clock = { now: 0 };
    let issued = 0;
    const credential = new ScriptedCredential(() => ({
      token: `t${++issued}`,
      expiresOnTimestamp: clock.now + HOUR,
      refreshAfterTimestamp: clock.now + 60_000,
    }));
    const tokens = tokensAt(clock, credential);
    expect(await tokens.token('a')).toBe('t1');
    expect(await tokens.token('b')).toBe('t2');
    clock.now += 60_000;
    expect(await tokens.token('a')).toBe('t3');
  });

  it('shares one token request between concurrent callers', async () => {
    const credential = new ScriptedCredential(() => ({ token: 'shared', expiresOnTimestamp: Date.now() + HOUR }));
    const tokens = tokensAt({ now: Date.now() }, credential);
    const all = await Promise.all(Array.from({ length: 10 }, () => tokens.token('scope')));
    expect(new Set(all)).toEqual(new Set(['shared']));
    expect(credential.calls).toBe(1);
  });

  it('turns a failing or empty credential into an upstream_error, and tries again next time', async () => {
    let fail = true;
    const credential = new ScriptedCredential(() => {
      if (fail) throw new Error('ManagedIdentityCredential: no identity endpoint');
      return null;
    });
    const tokens = tokensAt({ now: 0 }, credential);
    const first = await tokens.token('s').catch((e: unknown) => e);
    expect(first).toBeInstanceOf(SluiceError);
    expect(first).toMatchObject({ kind: 'upstream_error', status: 502, code: 'entra_token_unavailable' });
    expect((first as Error).message).toContain('no identity endpoint');
    fail = false;
    const second = await tokens.token('s').catch((e: unknown) => e);
    expect((second as Error).message).toContain('returned no token');
    expect(credential.calls).toBe(2);
  });

  it('reports a default credential that cannot be built, and builds it again next time', async () => {
    let attempts = 0;
    const tokens = new EntraTokens(() => {
      attempts++;
      return Promise.reject(new Error('cannot load'));
    });
    await expect(tokens.token('s')).rejects.toMatchObject({ code: 'entra_token_unavailable' });
    await expect(tokens.token('s')).rejects.toMatchObject({ code: 'entra_token_unavailable' });
    expect(attempts).toBe(2);
  });
});

describe('Azure base URL forms', () => {
  it('tells the resource form from the Foundry v1 form, with their Entra scopes', () => {
    expect(azureUrlForm('https://r.openai.azure.com/openai')).toBe('resource');
    expect(azureUrlForm('https://p.openai.azure.com/openai')).toBe('resource');
    expect(azureUrlForm('https://r.services.ai.azure.com/openai/v1')).toBe('foundry-v1');
    expect(azureUrlForm('https://r.services.ai.azure.com/openai/v1/')).toBe('foundry-v1');
    expect(entraScopeOf.resource).toBe('https://cognitiveservices.azure.com/.default');
    expect(entraScopeOf['foundry-v1']).toBe('https://ai.azure.com/.default');
  });

  const input = (env: Record<string, string>, baseUrl: string, params: Record<string, string> = {}): PrepareInput => ({
    request: { headers: {} } as SluiceRequest,
    params,
    profile: defaultProfile(),
    config: loadConfig(env),
    apiKey: 'k',
    baseUrl,
  });

  it('builds the upstream URL of each form', () => {
    const target = azureTarget(new EntraTokens(() => Promise.reject(new Error('unused'))));
    const resource = 'https://r.openai.azure.com/openai';
    expect(target.url(input({}, resource), '/chat/completions', 'gpt 4o')).toBe(
      `${resource}/deployments/gpt%204o/chat/completions?api-version=2024-02-01`,
    );
    expect(target.url(input({}, resource, { deployment: 'pinned' }), '/chat/completions', 'gpt-4o')).toBe(
      `${resource}/deployments/pinned/chat/completions?api-version=2024-02-01`,
    );
    expect(target.url(input({ SLUICE_AZURE_OPENAI_RESPONSES_API_VERSION: 'preview' }, resource), '/responses', 'd')).toBe(
      `${resource}/responses?api-version=preview`,
    );
    const foundry = 'https://r.services.ai.azure.com/openai/v1';
    expect(target.url(input({}, foundry), '/chat/completions', 'd')).toBe(`${foundry}/chat/completions`);
    expect(target.url(input({}, foundry), '/responses', 'd')).toBe(`${foundry}/responses`);
  });
});

describe('Azure paths and settings', () => {
  it('matches the paths the Azure and OpenAI clients produce', () => {
    expect(matchAzureChat('/chat/completions')).toEqual({});
    expect(matchAzureChat('/deployments/my%20dep/chat/completions')).toEqual({ deployment: 'my dep' });
    expect(matchAzureChat('/openai/deployments/d1/chat/completions')).toEqual({ deployment: 'd1' });
    expect(matchAzureChat('/openai/v1/chat/completions')).toEqual({});
    expect(matchAzureChat('/deployments/%E0%A4%A/chat/completions')).toBeUndefined();
    expect(matchAzureChat('/team/chat/completions')).toBeUndefined();
    expect(matchAzureResponses('/responses')).toEqual({});
    expect(matchAzureResponses('/openai/responses')).toEqual({});
    expect(matchAzureResponses('/openai/v1/responses')).toEqual({});
    expect(matchAzureResponses('/deployments/d/responses')).toBeUndefined();
  });

  it('reads the settings with their defaults, and names a bad variable', () => {
    expect(azureSettings(loadConfig({}))).toEqual({
      apiVersion: '2024-02-01',
      responsesApiVersion: '2025-04-01-preview',
      entraIdEnabled: false,
    });
    expect(azureSettings(loadConfig({ SLUICE_AZURE_OPENAI_ENTRA_ID_ENABLED: 'true' })).entraIdEnabled).toBe(true);
    expect(() => azureSettings(loadConfig({ SLUICE_AZURE_OPENAI_ENTRA_ID_ENABLED: 'maybe' }))).toThrow(ConfigError);
    expect(() => azureSettings(loadConfig({ SLUICE_AZURE_OPENAI_API_VERSION: '2024 02 01' }))).toThrow(
      /SLUICE_AZURE_OPENAI_API_VERSION/,
    );
  });

  it('reads the base URL and key from SLUICE_AZURE_OPENAI_* or SLUICE_AZURE_*', () => {
    const seeds = loadConfig({ SLUICE_AZURE_OPENAI_BASE_URL: 'https://r.openai.azure.com/openai/', SLUICE_AZURE_OPENAI_API_KEY: 'k1' });
    expect(azureProvider.baseUrl(seeds)).toBe('https://r.openai.azure.com/openai');
    expect(azureProvider.defaultKey(seeds)).toBe('k1');
    const short = loadConfig({ SLUICE_AZURE_BASE_URL: 'https://r.services.ai.azure.com/openai/v1', SLUICE_AZURE_API_KEY: 'k2' });
    expect(azureProvider.baseUrl(short)).toBe('https://r.services.ai.azure.com/openai/v1');
    expect(azureProvider.defaultKey(short)).toBe('k2');
    expect(azureProvider.baseUrl(loadConfig({}))).toBeUndefined();
    expect(azureProvider.keyRequired(loadConfig({}))).toBe(true);
    expect(azureProvider.keyRequired(loadConfig({ SLUICE_AZURE_OPENAI_ENTRA_ID_ENABLED: 'true' }))).toBe(false);
  });
});
