import { SluiceError } from '../../errors/sluice-error.ts';
import { geminiProvider } from '../../providers/gemini/provider.ts';
import { geminiSettings } from '../../providers/gemini/settings.ts';
import type { ProviderAdapter } from '../../providers/types.ts';
import { geminiTranslator } from '../translate/gemini/translator.ts';
import { getJson } from './list-json.ts';
import { adapterAccess, prepareThrough } from './synthetic-request.ts';
import type { ListInput, ListedModel, NativeUpstream, TranslatedTarget } from './types.ts';

/** The Gemini API's model list: the models that support `generateContent`. */
async function listGeminiApiModels({ baseUrl, apiKey, upstream, signal }: ListInput): Promise<ListedModel[]> {
  const json = await getJson(upstream, `${baseUrl}/v1beta/models?pageSize=1000`, apiKey ? { 'x-goog-api-key': apiKey } : {}, signal);
  const models = Array.isArray(json.models) ? (json.models as Array<{ name?: unknown; supportedGenerationMethods?: unknown }>) : [];
  return models
    .filter((m) => typeof m.name === 'string' && Array.isArray(m.supportedGenerationMethods) && m.supportedGenerationMethods.includes('generateContent'))
    .map((m) => ({ id: (m.name as string).replace(/^models\//, '') }));
}

/**
 * Gemini through its own adapter's generateContent endpoint, so the router uses the same
 * configuration and credentials as the Gemini route: the Gemini API with a key in
 * `x-goog-api-key` (SLUICE_GEMINI_BASE_URL, SLUICE_GEMINI_API_KEY), or, with
 * SLUICE_GEMINI_VERTEX_AI_ENABLED=true, the project's Vertex AI endpoint with Sluice's own Google
 * access token (the adapter's token cache). Vertex AI has no list of the Gemini models a project
 * may call, so in that mode `/models` leaves Gemini out.
 */
export function geminiUpstream(adapter: ProviderAdapter = geminiProvider): NativeUpstream {
  const generate = adapter.endpoints.find((endpoint) => endpoint.operation === 'chat')!;
  return {
    ...adapterAccess(adapter),
    async call(input) {
      const { model, stream } = input;
      const path = `/v1beta/models/${encodeURIComponent(model.replace(/^models\//, ''))}:${stream ? 'streamGenerateContent' : 'generateContent'}`;
      const params = generate.match(path);
      if (!params) {
        throw new SluiceError('bad_request', `'${model}' is not a Gemini model id (it may not contain '/' or ':').`, {
          param: 'model',
          code: 'model_not_found',
        });
      }
      const prepared = await prepareThrough(
        generate,
        input,
        {
          method: 'POST',
          path,
          ...(stream ? { query: { alt: 'sse' } } : {}),
          headers: { accept: stream ? 'text/event-stream' : 'application/json' },
          body: input.body,
        },
        params,
      );
      return { url: prepared.url, headers: prepared.headers };
    },
    listModels: async (input) => (geminiSettings(input.config).vertex ? [] : listGeminiApiModels(input)),
  };
}

export function geminiTarget(upstream: NativeUpstream = geminiUpstream()): TranslatedTarget {
  return { kind: 'translated', id: 'gemini', displayName: 'Gemini', translator: geminiTranslator, ...upstream };
}
