import type { TokenUsage } from '../../interactions/interaction.ts';

interface UsageMetadata {
  promptTokenCount?: number;
  candidatesTokenCount?: number;
  cachedContentTokenCount?: number;
  thoughtsTokenCount?: number;
  toolUsePromptTokenCount?: number;
}

const count = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;

const sum = (...values: Array<number | undefined>): number | undefined =>
  values.every((v) => v === undefined) ? undefined : values.reduce<number>((total, v) => total + (v ?? 0), 0);

/**
 * Gemini's usageMetadata as Sluice's token counts, counted the way OpenAI's are: input includes
 * the cached tokens (cacheReadTokens says how many) and the tool-use prompt; output includes the
 * thinking tokens (reasoningTokens says how many), since both are billed as output.
 */
export function tokenUsageFromGemini(raw: unknown): TokenUsage | undefined {
  if (raw === null || typeof raw !== 'object') return undefined;
  const usage = raw as UsageMetadata;
  const thoughts = count(usage.thoughtsTokenCount);
  const result: TokenUsage = {};
  const input = sum(count(usage.promptTokenCount), count(usage.toolUsePromptTokenCount));
  const output = sum(count(usage.candidatesTokenCount), thoughts);
  const cached = count(usage.cachedContentTokenCount);
  if (input !== undefined) result.inputTokens = input;
  if (output !== undefined) result.outputTokens = output;
  if (cached !== undefined) result.cacheReadTokens = cached;
  if (thoughts !== undefined) result.reasoningTokens = thoughts;
  return result;
}
