import { createProxyHandler } from '../lib/proxy/proxy-handler.ts';
import { openAiCompatibleIds } from '../lib/providers/openai-compatible/table.ts';
import { streamingHandler } from './streaming-handler.ts';

export const handler = streamingHandler(createProxyHandler(openAiCompatibleIds));
