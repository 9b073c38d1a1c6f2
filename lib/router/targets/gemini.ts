import { geminiTranslator } from '../translate/gemini/translator.ts';
import { getJson } from './list-json.ts';
import type { NativeUpstream, TranslatedTarget } from './types.ts';

export const GEMINI_DEFAULT_BASE_URL = 'https://generativelanguage.googleapis.com';

/**
 * The Gemini API (Google AI Studio) with an API key in `x-goog-api-key`: SLUICE_GEMINI_API_KEY,
 * SLUICE_GEMINI_BASE_URL. This is the whole of the router's knowledge of Gemini's URL and
 * credential: Vertex AI (a project URL and a Google access token) is another NativeUpstream
 * passed to geminiTarget().
 */
export const geminiApiKeyUpstream: NativeUpstream = {
  howToEnable: 'Set SLUICE_GEMINI_API_KEY (and SLUICE_GEMINI_BASE_URL to use another endpoint).',
  baseUrl: (config) => config.providers.gemini?.baseUrl ?? GEMINI_DEFAULT_BASE_URL,
  defaultKey: (config) => config.providers.gemini?.apiKey,
  keyRequired: () => true,
  call: async ({ baseUrl, apiKey, model, stream }) => ({
    url: `${baseUrl}/v1beta/models/${encodeURIComponent(model.replace(/^models\//, ''))}:${stream ? 'streamGenerateContent?alt=sse' : 'generateContent'}`,
    headers: { 'content-type': 'application/json', accept: stream ? 'text/event-stream' : 'application/json', ...(apiKey ? { 'x-goog-api-key': apiKey } : {}) },
  }),
  async listModels({ baseUrl, apiKey, upstream, signal }) {
    const json = await getJson(upstream, `${baseUrl}/v1beta/models?pageSize=1000`, apiKey ? { 'x-goog-api-key': apiKey } : {}, signal);
    const models = Array.isArray(json.models) ? (json.models as Array<{ name?: unknown; supportedGenerationMethods?: unknown }>) : [];
    return models
      .filter((m) => typeof m.name === 'string' && Array.isArray(m.supportedGenerationMethods) && m.supportedGenerationMethods.includes('generateContent'))
      .map((m) => ({ id: (m.name as string).replace(/^models\//, '') }));
  },
};

export function geminiTarget(upstream: NativeUpstream = geminiApiKeyUpstream): TranslatedTarget {
  return { kind: 'translated', id: 'gemini', displayName: 'Gemini', translator: geminiTranslator, ...upstream };
}
