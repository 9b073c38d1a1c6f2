import { bearerToken } from '../shared/headers.ts';
import type { ProviderAdapter } from '../types.ts';
import { cohereChatEndpoints } from './chat-endpoints.ts';
import { cohereDialect } from './dialect.ts';

export const COHERE_DEFAULT_BASE_URL = 'https://api.cohere.com';

export const cohereProvider: ProviderAdapter = {
  id: 'cohere',
  displayName: 'Cohere',
  dialect: cohereDialect,
  endpoints: cohereChatEndpoints,
  baseUrl: (config) => config.providers.cohere?.baseUrl ?? COHERE_DEFAULT_BASE_URL,
  howToEnable: 'Set SLUICE_COHERE_BASE_URL to the Cohere API base URL.',
  clientKey: bearerToken,
  defaultKey: (config) => config.providers.cohere?.apiKey,
  keyRequired: () => true,
};
