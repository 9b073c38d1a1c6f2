import type { TokenUsage } from '../../interactions/interaction.ts';

interface OpenAiUsage {
  prompt_tokens?: number;
  completion_tokens?: number;
  input_tokens?: number;
  output_tokens?: number;
  prompt_tokens_details?: { cached_tokens?: number } | null;
  input_tokens_details?: { cached_tokens?: number } | null;
  completion_tokens_details?: { reasoning_tokens?: number } | null;
  output_tokens_details?: { reasoning_tokens?: number } | null;
}

const count = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;

/**
 * OpenAI usage (Chat Completions, Responses or Embeddings) as Sluice's token counts. Input tokens
 * include the cached ones, as OpenAI reports them; cacheReadTokens says how many of them were cached.
 */
export function tokenUsageFromOpenAi(raw: unknown): TokenUsage | undefined {
  if (raw === null || typeof raw !== 'object') return undefined;
  const usage = raw as OpenAiUsage;
  const result: TokenUsage = {};
  const input = count(usage.prompt_tokens ?? usage.input_tokens);
  const output = count(usage.completion_tokens ?? usage.output_tokens);
  const cached = count((usage.prompt_tokens_details ?? usage.input_tokens_details)?.cached_tokens);
  const reasoning = count((usage.completion_tokens_details ?? usage.output_tokens_details)?.reasoning_tokens);
  if (input !== undefined) result.inputTokens = input;
  if (output !== undefined) result.outputTokens = output;
  if (cached !== undefined) result.cacheReadTokens = cached;
  if (reasoning !== undefined) result.reasoningTokens = reasoning;
  return result;
}
