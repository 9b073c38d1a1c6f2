import { geminiProvider } from '../lib/providers/gemini/provider.ts';
import { createProxyHandler } from '../lib/proxy/proxy-handler.ts';
import { streamingHandler } from './streaming-handler.ts';

export const handler = streamingHandler(createProxyHandler([geminiProvider]));
