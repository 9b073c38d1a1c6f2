/**
 * The two forms of an Azure base URL (SLUICE_AZURE_OPENAI_BASE_URL):
 * - `resource`: `https://<resource>.openai.azure.com/openai`; chat goes to
 *   `/deployments/<model>/chat/completions?api-version=…`, Responses to `/responses?api-version=…`.
 * - `foundry-v1`: `https://<resource>.services.ai.azure.com/openai/v1`; the OpenAI paths as they
 *   are, the model in the body, no api-version.
 */
export type AzureUrlForm = 'resource' | 'foundry-v1';

export function azureUrlForm(baseUrl: string): AzureUrlForm {
  const path = new URL(baseUrl).pathname.replace(/\/+$/, '');
  return path.endsWith('/v1') ? 'foundry-v1' : 'resource';
}

/** The Microsoft Entra token scope for each form. */
export const entraScopeOf: Readonly<Record<AzureUrlForm, string>> = {
  resource: 'https://cognitiveservices.azure.com/.default',
  'foundry-v1': 'https://ai.azure.com/.default',
};
