import type { NativeTranslator } from '../translator.ts';
import { openAiChatRequest } from './request.ts';
import { openAiChatResponse } from './response.ts';
import { openAiChatStream } from './stream.ts';

/** Chat Completions as a "native" API: the Responses API carried to OpenAI-compatible providers. */
export const openAiChatTranslator: NativeTranslator = {
  request: openAiChatRequest,
  response: openAiChatResponse,
  stream: openAiChatStream,
};
