import { createModelRouterHandler } from '../lib/router/router-handler.ts';
import { streamingHandler } from './streaming-handler.ts';

export const handler = streamingHandler(createModelRouterHandler());
