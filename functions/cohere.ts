import { cohereProvider } from '../lib/providers/cohere/provider.ts';
import { createProxyHandler } from '../lib/proxy/proxy-handler.ts';
import { streamingHandler } from './streaming-handler.ts';

export const handler = streamingHandler(createProxyHandler([cohereProvider]));
