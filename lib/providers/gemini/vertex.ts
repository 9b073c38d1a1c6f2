import { pathSegment } from '../shared/path-segment.ts';
import type { VertexSettings } from './settings.ts';
import { CachedAccessToken, googleAuthTokenSource, type TokenSource } from './vertex-token.ts';

/** The Vertex AI host for a location: `global` has no regional prefix. */
export function vertexBaseUrl(vertex: VertexSettings): string {
  if (vertex.baseUrl) return vertex.baseUrl;
  return vertex.location === 'global'
    ? 'https://aiplatform.googleapis.com'
    : `https://${vertex.location}-aiplatform.googleapis.com`;
}

/** `{base}/v1/projects/{project}/locations/{location}/publishers/google/models/{model}:{method}` */
export function vertexModelUrl(baseUrl: string, vertex: VertexSettings, model: string, method: string): string {
  const project = encodeURIComponent(vertex.project);
  const location = encodeURIComponent(vertex.location);
  return `${baseUrl}/v1/projects/${project}/locations/${location}/publishers/google/models/${pathSegment(model, 'model')}:${method}`;
}

export type TokenSourceFactory = (vertex: VertexSettings) => TokenSource;

/** Vertex access tokens, one cache per credentials source, kept for the life of the process. */
export class VertexTokens {
  private readonly caches = new Map<string, CachedAccessToken>();
  private readonly sourceFor: TokenSourceFactory;

  constructor(sourceFor: TokenSourceFactory = (vertex) => googleAuthTokenSource(vertex.credentialsFile)) {
    this.sourceFor = sourceFor;
  }

  token(vertex: VertexSettings): Promise<string> {
    const key = vertex.credentialsFile ?? '(application default credentials)';
    let cache = this.caches.get(key);
    if (!cache) {
      cache = new CachedAccessToken(this.sourceFor(vertex));
      this.caches.set(key, cache);
    }
    return cache.get();
  }
}
