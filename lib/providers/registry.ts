import { anthropicProvider } from './anthropic/provider.ts';
import { azureProvider } from './azure/provider.ts';
import { bedrockProvider } from './bedrock/provider.ts';
import { cohereProvider } from './cohere/provider.ts';
import { geminiProvider } from './gemini/provider.ts';
import { openAiProvider } from './openai/provider.ts';
import { openAiCompatibleProviders } from './openai-compatible/providers.ts';
import type { ProviderAdapter } from './types.ts';

/** Every provider Sluice can route to, by route segment. Adding a provider adds one line here. */
export const providers: readonly ProviderAdapter[] = [
  openAiProvider,
  azureProvider,
  ...openAiCompatibleProviders,
  anthropicProvider,
  cohereProvider,
  geminiProvider,
  bedrockProvider,
];

export function providersById(ids: readonly string[]): ProviderAdapter[] {
  return ids.map((id) => {
    const provider = providers.find((p) => p.id === id);
    if (!provider) throw new Error(`unknown provider: ${id}`);
    return provider;
  });
}
