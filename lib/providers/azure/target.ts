import type { ApiPath, UpstreamTarget } from '../openai-style/upstream-target.ts';
import type { PrepareInput } from '../types.ts';
import { pathSegment } from '../shared/path-segment.ts';
import { azureUrlForm, entraScopeOf } from './base-url.ts';
import type { EntraTokens } from './entra-token.ts';
import { azureSettings } from './settings.ts';

function azureUrl(input: PrepareInput, apiPath: ApiPath, model: string | undefined): string {
  const { baseUrl, config, params } = input;
  if (azureUrlForm(baseUrl) === 'foundry-v1') return `${baseUrl}${apiPath}`;
  const settings = azureSettings(config);
  if (apiPath === '/responses') {
    return `${baseUrl}/responses?api-version=${encodeURIComponent(settings.responsesApiVersion)}`;
  }
  // The deployment named in the path (AzureOpenAI client) wins over the body's model.
  const deployment = params.deployment ?? model ?? '';
  return `${baseUrl}/deployments/${pathSegment(deployment, 'model')}${apiPath}?api-version=${encodeURIComponent(settings.apiVersion)}`;
}

/**
 * Azure AI Foundry upstream: the URL by base URL form, and either the key as `api-key` or, with
 * SLUICE_AZURE_OPENAI_ENTRA_ID_ENABLED, a Microsoft Entra token for the form's scope. In Entra
 * mode the client's own credential is never sent to Azure.
 */
export function azureTarget(entra: EntraTokens): UpstreamTarget {
  return {
    url: azureUrl,
    async headers(input): Promise<Record<string, string>> {
      if (azureSettings(input.config).entraIdEnabled) {
        const token = await entra.token(entraScopeOf[azureUrlForm(input.baseUrl)]);
        return { authorization: `Bearer ${token}` };
      }
      return input.apiKey ? { 'api-key': input.apiKey } : {};
    },
  };
}
