import { chatCompletionsEndpoint } from '../openai-style/chat-endpoint.ts';
import { embeddingsEndpoint } from '../openai-style/embeddings-endpoint.ts';
import { modelsEndpoint } from '../openai-style/models-endpoint.ts';
import { openAiStyleProvider } from '../openai-style/provider.ts';
import { responsesEndpoint } from '../openai-style/responses-endpoint.ts';

export const openAiProvider = openAiStyleProvider(
  { id: 'openai', displayName: 'OpenAI', defaultBaseUrl: 'https://api.openai.com/v1', keyRequired: true },
  [chatCompletionsEndpoint(), responsesEndpoint(), embeddingsEndpoint(), modelsEndpoint()],
);
