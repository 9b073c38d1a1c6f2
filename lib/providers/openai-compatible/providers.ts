import { chatCompletionsEndpoint } from '../openai-style/chat-endpoint.ts';
import { embeddingsEndpoint } from '../openai-style/embeddings-endpoint.ts';
import { openAiStyleProvider } from '../openai-style/provider.ts';
import type { Endpoint, ProviderAdapter } from '../types.ts';
import { headersFromSettings } from './setting-headers.ts';
import { openAiCompatibleTable, type OpenAiCompatibleEntry } from './table.ts';

function openAiCompatibleProvider(entry: OpenAiCompatibleEntry): ProviderAdapter {
  const extraHeaders = entry.extraHeaders ? headersFromSettings(entry.extraHeaders) : undefined;
  const endpoints: Endpoint[] = [
    chatCompletionsEndpoint({ extraHeaders, streamUsage: entry.streamUsageSentUnasked ? 'sent-unasked' : 'ask' }),
  ];
  if (entry.embeddings) endpoints.push(embeddingsEndpoint({ extraHeaders }));
  return openAiStyleProvider(
    {
      id: entry.id,
      displayName: entry.displayName,
      defaultBaseUrl: entry.defaultBaseUrl,
      keyRequired: entry.keyRequired,
      extraHeaders,
    },
    endpoints,
  );
}

/** One adapter per entry of the table. */
export const openAiCompatibleProviders: readonly ProviderAdapter[] = openAiCompatibleTable.map(openAiCompatibleProvider);
