import { openAiCompatibleProviders } from '../lib/providers/openai-compatible/providers.ts';
import { createProxyHandler } from '../lib/proxy/proxy-handler.ts';
import { streamingHandler } from './streaming-handler.ts';

export const handler = streamingHandler(createProxyHandler(openAiCompatibleProviders));
