import type { NativeTranslator } from '../translator.ts';
import { anthropicRequest } from './request.ts';
import { anthropicResponse } from './response.ts';
import { anthropicStream } from './stream.ts';

export const anthropicTranslator: NativeTranslator = {
  request: anthropicRequest,
  response: anthropicResponse,
  stream: anthropicStream,
};
