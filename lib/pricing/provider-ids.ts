/**
 * Sluice provider ids (route segments) → provider ids of the price catalog (@pydantic/genai-prices).
 * `null`: a self-hosted server, whose calls cost nothing per token. A provider that is not listed
 * is looked up in the catalog under its own id.
 */
export const catalogProviderIds: Readonly<Record<string, string | null>> = {
  openai: 'openai',
  anthropic: 'anthropic',
  gemini: 'google',
  vertex: 'google',
  bedrock: 'aws',
  azure: 'azure',
  cohere: 'cohere',
  groq: 'groq',
  mistral: 'mistral',
  xai: 'x-ai',
  cerebras: 'cerebras',
  deepseek: 'deepseek',
  openrouter: 'openrouter',
  perplexity: 'perplexity',
  together: 'together',
  fireworks: 'fireworks',
  zhipuai: 'zhipuai',
  minimax: 'minimax',
  vllm: null,
  ollama: null,
};

/**
 * The catalog provider and model for a call. A model written `provider:model` (the model router's
 * form) names its provider; Bedrock ids such as `amazon.nova-pro-v1:0` are not taken for that form
 * because their prefix is no provider id.
 */
export function catalogTarget(provider: string, model: string): { providerId: string | null; model: string } {
  const colon = model.indexOf(':');
  if (colon > 0) {
    const prefix = model.slice(0, colon);
    if (prefix in catalogProviderIds) return catalogTarget(prefix, model.slice(colon + 1));
  }
  const mapped = catalogProviderIds[provider];
  return { providerId: mapped === undefined ? provider : mapped, model };
}
