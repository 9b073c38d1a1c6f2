import type { TokenUsage } from '../../interactions/interaction.ts';

/** The usage counters of an Anthropic message (`usage` of a Message, `message_start` or `message_delta`). */
export interface AnthropicUsage {
  input_tokens?: number | null;
  output_tokens?: number | null;
  cache_read_input_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
  output_tokens_details?: { thinking_tokens?: number | null } | null;
}

const count = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;

export function asAnthropicUsage(raw: unknown): AnthropicUsage | undefined {
  return raw !== null && typeof raw === 'object' && !Array.isArray(raw) ? (raw as AnthropicUsage) : undefined;
}

/**
 * Counters of a later event replace those of an earlier one: a stream's `message_delta` carries
 * cumulative totals and omits the ones that did not change.
 */
export function mergeAnthropicUsage(base: AnthropicUsage | undefined, update: AnthropicUsage): AnthropicUsage {
  const merged: AnthropicUsage = { ...base };
  for (const [name, value] of Object.entries(update) as Array<[keyof AnthropicUsage, unknown]>) {
    if (value !== null && value !== undefined) (merged as Record<string, unknown>)[name] = value;
  }
  return merged;
}

/**
 * Anthropic usage as Sluice's token counts. Anthropic's `input_tokens` counts only the uncached
 * part of the prompt; Sluice's inputTokens is the whole prompt (as OpenAI reports it), so the cache
 * reads and writes are added to it and also given on their own.
 */
export function tokenUsageFromAnthropic(usage: AnthropicUsage | undefined): TokenUsage | undefined {
  if (!usage) return undefined;
  const result: TokenUsage = {};
  const input = count(usage.input_tokens);
  const output = count(usage.output_tokens);
  const cacheRead = count(usage.cache_read_input_tokens);
  const cacheWrite = count(usage.cache_creation_input_tokens);
  const thinking = count(usage.output_tokens_details?.thinking_tokens);
  if (input !== undefined) result.inputTokens = input + (cacheRead ?? 0) + (cacheWrite ?? 0);
  if (output !== undefined) result.outputTokens = output;
  if (cacheRead !== undefined) result.cacheReadTokens = cacheRead;
  if (cacheWrite !== undefined) result.cacheWriteTokens = cacheWrite;
  if (thinking !== undefined) result.reasoningTokens = thinking;
  return result;
}
