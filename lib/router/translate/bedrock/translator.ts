import type { NativeTranslator } from '../translator.ts';
import { bedrockRequest } from './request.ts';
import { bedrockResponse } from './response.ts';
import { bedrockStream } from './stream.ts';

export const bedrockTranslator: NativeTranslator = {
  request: bedrockRequest,
  response: bedrockResponse,
  stream: bedrockStream,
};
