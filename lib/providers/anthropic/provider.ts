import { bearerToken } from '../shared/headers.ts';
import { defaultAzureCredential, EntraTokenCache, type CredentialFactory } from '../shared/entra-token.ts';
import type { ProviderAdapter } from '../types.ts';
import { anthropicDialect } from './dialect.ts';
import { FOUNDRY_SCOPE, foundryEntraEnabled } from './foundry-entra.ts';
import { messagesEndpoint, type UpstreamAuth } from './messages.ts';

export const ANTHROPIC_DEFAULT_BASE_URL = 'https://api.anthropic.com';

export interface AnthropicProviderOptions {
  /** The source of Microsoft Entra ID tokens for Claude on Foundry (tests inject their own). */
  entraCredential?: CredentialFactory;
}

/**
 * How a key travels upstream: `x-api-key`, as Anthropic and Foundry both accept API keys, except
 * a Claude OAuth access token (`sk-ant-oat…`), which Anthropic accepts only as a bearer token.
 */
export function apiKeyHeaders(apiKey: string | undefined): Record<string, string> {
  if (!apiKey) return {};
  return apiKey.startsWith('sk-ant-oat') ? { authorization: `Bearer ${apiKey}` } : { 'x-api-key': apiKey };
}

export function createAnthropicProvider(options: AnthropicProviderOptions = {}): ProviderAdapter {
  const entraToken = new EntraTokenCache(FOUNDRY_SCOPE, options.entraCredential ?? defaultAzureCredential);
  const upstreamAuth: UpstreamAuth = async ({ config, apiKey }) =>
    foundryEntraEnabled(config) ? { authorization: `Bearer ${await entraToken.token()}` } : apiKeyHeaders(apiKey);

  return {
    id: 'anthropic',
    displayName: 'Anthropic',
    dialect: anthropicDialect,
    endpoints: [messagesEndpoint(upstreamAuth)],
    baseUrl: (config) => config.providers.anthropic?.baseUrl ?? ANTHROPIC_DEFAULT_BASE_URL,
    howToEnable: 'Set SLUICE_ANTHROPIC_BASE_URL to the Anthropic API base URL.',
    // Anthropic's SDKs send the key as `x-api-key` or, in newer versions, as a bearer token.
    clientKey: (request) => request.headers['x-api-key']?.trim() || bearerToken(request),
    defaultKey: (config) => config.providers.anthropic?.apiKey,
    // With Entra ID, Sluice holds the credential: the client needs no key, and one it sends is not forwarded.
    keyRequired: (config) => !foundryEntraEnabled(config),
  };
}

export const anthropicProvider = createAnthropicProvider();
