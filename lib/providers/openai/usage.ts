import type { TokenUsage } from '../../interactions/interaction.ts';

interface OpenAiUsage {
  prompt_tokens?: number;
  completion_tokens?: number;
  input_tokens?: number;
  output_tokens?: number;
  prompt_tokens_details?: { cached_tokens?: number; cache_write_tokens?: number } | null;
  input_tokens_details?: { cached_tokens?: number; cache_write_tokens?: number } | null;
  /** DeepSeek's count of cached prompt tokens (a part of prompt_tokens). */
  prompt_cache_hit_tokens?: number;
  completion_tokens_details?: { reasoning_tokens?: number } | null;
  output_tokens_details?: { reasoning_tokens?: number } | null;
}

const count = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;

/**
 * OpenAI usage (Chat Completions, Responses or Embeddings) as Sluice's token counts. Input tokens
 * include the cached ones, as OpenAI reports them; cacheReadTokens says how many of them were cached.
 * OpenAI reports no cache writes; OpenAI-compatible servers that do (OpenRouter, Azure:
 * `cache_write_tokens`, a part of prompt_tokens) give cacheWriteTokens, and DeepSeek's
 * `prompt_cache_hit_tokens` stands for cached_tokens.
 */
export function tokenUsageFromOpenAi(raw: unknown): TokenUsage | undefined {
  if (raw === null || typeof raw !== 'object') return undefined;
  const usage = raw as OpenAiUsage;
  const result: TokenUsage = {};
  const input = count(usage.prompt_tokens ?? usage.input_tokens);
  const output = count(usage.completion_tokens ?? usage.output_tokens);
  const details = usage.prompt_tokens_details ?? usage.input_tokens_details;
  const cached = count(details?.cached_tokens) ?? count(usage.prompt_cache_hit_tokens);
  const cacheWrite = count(details?.cache_write_tokens);
  const reasoning = count((usage.completion_tokens_details ?? usage.output_tokens_details)?.reasoning_tokens);
  if (input !== undefined) result.inputTokens = input;
  if (output !== undefined) result.outputTokens = output;
  if (cached !== undefined) result.cacheReadTokens = cached;
  if (cacheWrite !== undefined) result.cacheWriteTokens = cacheWrite;
  if (reasoning !== undefined) result.reasoningTokens = reasoning;
  return result;
}
