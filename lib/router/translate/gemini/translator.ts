import type { NativeTranslator } from '../translator.ts';
import { geminiRequest } from './request.ts';
import { geminiResponse } from './response.ts';
import { geminiStream } from './stream.ts';

export const geminiTranslator: NativeTranslator = {
  request: geminiRequest,
  response: geminiResponse,
  stream: geminiStream,
};
