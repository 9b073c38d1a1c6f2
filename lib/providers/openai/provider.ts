import { chatCompletionsEndpoint } from '../openai-style/chat-endpoint.ts';
import { openAiStyleProvider } from '../openai-style/provider.ts';

export const openAiProvider = openAiStyleProvider(
  { id: 'openai', displayName: 'OpenAI', defaultBaseUrl: 'https://api.openai.com/v1', keyRequired: true },
  [chatCompletionsEndpoint()],
);
