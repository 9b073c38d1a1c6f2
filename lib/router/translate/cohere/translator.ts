import type { NativeTranslator } from '../translator.ts';
import { cohereRequest } from './request.ts';
import { cohereResponse } from './response.ts';
import { cohereStream } from './stream.ts';

export const cohereTranslator: NativeTranslator = {
  request: cohereRequest,
  response: cohereResponse,
  stream: cohereStream,
};
