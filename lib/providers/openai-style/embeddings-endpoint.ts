import { prepareEmbeddingsBody, summarizeEmbeddings } from '../openai/embeddings.ts';
import { wholeBodyObserver } from '../shared/whole-body-observer.ts';
import { exactPath, type Endpoint } from '../types.ts';
import { bearerTarget, upstreamHeaders, type UpstreamTarget } from './upstream-target.ts';

export interface EmbeddingsEndpointOptions {
  extraHeaders?: Parameters<typeof bearerTarget>[0];
  target?: UpstreamTarget;
}

/** `POST …/embeddings`: forwarded as sent; usage recorded. */
export function embeddingsEndpoint(options: EmbeddingsEndpointOptions = {}): Endpoint {
  const target = options.target ?? bearerTarget(options.extraHeaders);
  return {
    operation: 'embeddings',
    method: 'POST',
    match: exactPath('/embeddings'),
    async prepare(input) {
      const prepared = prepareEmbeddingsBody(input.request.body);
      return {
        url: target.url(input, '/embeddings', prepared.model),
        method: 'POST',
        headers: await upstreamHeaders(input, target, true),
        body: prepared.body,
        model: prepared.model,
        stream: false,
        summarize: summarizeEmbeddings,
        observe: wholeBodyObserver,
      };
    },
  };
}
