import type { JsonObject } from '../../providers/shared/json-body.ts';
import type { ImageResolver } from '../images.ts';
import type { RouterCompletion, RouterRequest, StreamDecoder } from '../neutral.ts';

export interface TranslateContext {
  /** The provider's own model id. */
  model: string;
  /** Named in refusals. */
  providerName: string;
  images: ImageResolver;
}

/** How the router speaks one provider's native chat API. */
export interface NativeTranslator {
  /** The native request body; a 400 for anything the API cannot carry. */
  request(request: RouterRequest, context: TranslateContext): Promise<JsonObject>;
  /** A complete native answer. */
  response(body: JsonObject, model: string): RouterCompletion;
  /** A reader for the native stream. */
  stream(): StreamDecoder;
}
