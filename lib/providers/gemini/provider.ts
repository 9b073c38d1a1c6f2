import type { SluiceRequest } from '../../http/request.ts';
import type { ProviderAdapter } from '../types.ts';
import { googleDialect } from './dialect.ts';
import { generateContentEndpoint } from './generate-content.ts';
import { GEMINI_DEFAULT_BASE_URL, geminiSettings } from './settings.ts';
import { vertexBaseUrl, VertexTokens, type TokenSourceFactory } from './vertex.ts';

/** The key as Gemini clients send it: the `x-goog-api-key` header, or `?key=` in the URL. */
function geminiClientKey(request: SluiceRequest): string | undefined {
  const header = request.headers['x-goog-api-key']?.trim();
  if (header) return header;
  return request.query.get('key')?.trim() || undefined;
}

export interface GeminiProviderOptions {
  /** Where Vertex AI tokens come from (tests inject one); default google-auth-library. */
  vertexTokenSource?: TokenSourceFactory;
}

/** Gemini (Google AI Studio), or Vertex AI when SLUICE_GEMINI_VERTEX_AI_ENABLED=true. */
export function createGeminiProvider(options: GeminiProviderOptions = {}): ProviderAdapter {
  const tokens = new VertexTokens(options.vertexTokenSource);
  return {
    id: 'gemini',
    displayName: 'Gemini',
    dialect: googleDialect,
    endpoints: [generateContentEndpoint(tokens)],
    baseUrl(config) {
      const vertex = geminiSettings(config).vertex;
      if (vertex) return vertexBaseUrl(vertex);
      return config.providers.gemini?.baseUrl ?? GEMINI_DEFAULT_BASE_URL;
    },
    howToEnable: 'Set SLUICE_GEMINI_BASE_URL, or SLUICE_GEMINI_VERTEX_AI_ENABLED=true with SLUICE_GEMINI_VERTEX_AI_PROJECT.',
    clientKey: geminiClientKey,
    defaultKey: (config) => config.providers.gemini?.apiKey,
    // Vertex AI needs no client key: Sluice authenticates with its own Google credentials.
    keyRequired: (config) => geminiSettings(config).vertex === undefined,
  };
}

export const geminiProvider = createGeminiProvider();
