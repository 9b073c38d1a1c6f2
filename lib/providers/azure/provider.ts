import type { Config } from '../../config/index.ts';
import type { SluiceRequest } from '../../http/request.ts';
import { openAiDialect } from '../openai/dialect.ts';
import { chatCompletionsEndpoint } from '../openai-style/chat-endpoint.ts';
import { responsesEndpoint } from '../openai-style/responses-endpoint.ts';
import { bearerToken } from '../shared/headers.ts';
import type { ProviderAdapter } from '../types.ts';
import { azureEntraTokens, type EntraTokens } from './entra-token.ts';
import { matchAzureChat, matchAzureResponses } from './paths.ts';
import { azureSettings } from './settings.ts';
import { azureTarget } from './target.ts';

// SLUICE_AZURE_OPENAI_* as in the reference documentation; SLUICE_AZURE_* (the route name) also works.
const environmentIds = ['azure-openai', 'azure'] as const;

function fromEnvironment(config: Config, field: 'baseUrl' | 'apiKey'): string | undefined {
  for (const id of environmentIds) {
    const value = config.providers[id]?.[field];
    if (value) return value;
  }
  return undefined;
}

/** The key as the AzureOpenAI client sends it (`api-key`), or as a bearer token. */
function azureClientKey(request: SluiceRequest): string | undefined {
  return request.headers['api-key']?.trim() || bearerToken(request);
}

export function createAzureProvider(entra: EntraTokens): ProviderAdapter {
  const target = azureTarget(entra);
  return {
    id: 'azure',
    displayName: 'Azure AI Foundry',
    dialect: openAiDialect,
    endpoints: [
      chatCompletionsEndpoint({ target, match: matchAzureChat }),
      responsesEndpoint({ target, match: matchAzureResponses }),
    ],
    baseUrl: (config) => fromEnvironment(config, 'baseUrl'),
    howToEnable:
      'Set SLUICE_AZURE_OPENAI_BASE_URL to your Azure OpenAI resource URL (https://<resource>.openai.azure.com/openai) or Foundry v1 URL (https://<resource>.services.ai.azure.com/openai/v1).',
    clientKey: azureClientKey,
    defaultKey: (config) => fromEnvironment(config, 'apiKey'),
    keyRequired: (config) => !azureSettings(config).entraIdEnabled,
  };
}

export const azureProvider = createAzureProvider(azureEntraTokens);
