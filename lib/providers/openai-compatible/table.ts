/**
 * The OpenAI-compatible providers, as data. Each is served at `/v1/<id>[/<profile>]/chat/completions`
 * and configured by SLUICE_<ID>_BASE_URL and SLUICE_<ID>_API_KEY (id upper-cased, `-` as `_`).
 * Adding a provider is adding one entry here.
 */
export interface OpenAiCompatibleEntry {
  /** The route segment, and the stem of its variable names. */
  id: string;
  displayName: string;
  /** The public endpoint; undefined when the provider is enabled only by SLUICE_<ID>_BASE_URL. */
  defaultBaseUrl: string | undefined;
  /** Whether a call with neither a client key nor SLUICE_<ID>_API_KEY is refused before going upstream. */
  keyRequired: boolean;
  /** Headers sent on every call: header name → the SLUICE_ variable that holds its value (sent when set). */
  extraHeaders?: Readonly<Record<string, string>>;
  /** The provider sends stream usage unasked and refuses `stream_options` (422 on Mistral). */
  streamUsageSentUnasked?: boolean;
  /** The provider also serves `POST /embeddings`. */
  embeddings?: boolean;
}

export const openAiCompatibleTable: readonly OpenAiCompatibleEntry[] = [
  { id: 'groq', displayName: 'Groq', defaultBaseUrl: 'https://api.groq.com/openai/v1', keyRequired: true },
  {
    id: 'mistral',
    displayName: 'Mistral AI',
    defaultBaseUrl: 'https://api.mistral.ai/v1',
    keyRequired: true,
    streamUsageSentUnasked: true,
  },
  { id: 'xai', displayName: 'xAI', defaultBaseUrl: 'https://api.x.ai/v1', keyRequired: true },
  { id: 'cerebras', displayName: 'Cerebras', defaultBaseUrl: 'https://api.cerebras.ai/v1', keyRequired: true },
  { id: 'deepseek', displayName: 'DeepSeek', defaultBaseUrl: 'https://api.deepseek.com', keyRequired: true },
  {
    id: 'openrouter',
    displayName: 'OpenRouter',
    defaultBaseUrl: 'https://openrouter.ai/api/v1',
    keyRequired: true,
    extraHeaders: { 'http-referer': 'SLUICE_OPENROUTER_REFERER', 'x-title': 'SLUICE_OPENROUTER_TITLE' },
    embeddings: true,
  },
  { id: 'perplexity', displayName: 'Perplexity', defaultBaseUrl: 'https://api.perplexity.ai', keyRequired: true },
  { id: 'vllm', displayName: 'vLLM', defaultBaseUrl: undefined, keyRequired: false },
  { id: 'ollama', displayName: 'Ollama', defaultBaseUrl: 'http://localhost:11434/v1', keyRequired: false },
  { id: 'zhipuai', displayName: 'Zhipu AI', defaultBaseUrl: 'https://api.z.ai/api/paas/v4', keyRequired: true },
  { id: 'minimax', displayName: 'MiniMax', defaultBaseUrl: 'https://api.minimax.io/v1', keyRequired: true },
  { id: 'together', displayName: 'Together AI', defaultBaseUrl: 'https://api.together.xyz/v1', keyRequired: true },
  {
    id: 'fireworks',
    displayName: 'Fireworks AI',
    defaultBaseUrl: 'https://api.fireworks.ai/inference/v1',
    keyRequired: true,
  },
];

/** The route segments of the OpenAI-compatible providers (one Lambda function serves them all). */
export const openAiCompatibleIds: readonly string[] = openAiCompatibleTable.map((entry) => entry.id);
