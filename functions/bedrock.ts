import { bedrockProvider } from '../lib/providers/bedrock/provider.ts';
import { createProxyHandler } from '../lib/proxy/proxy-handler.ts';
import { streamingHandler } from './streaming-handler.ts';

export const handler = streamingHandler(createProxyHandler([bedrockProvider]));
