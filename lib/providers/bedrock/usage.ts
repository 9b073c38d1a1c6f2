import type { TokenUsage } from '../../interactions/interaction.ts';

interface BedrockUsage {
  inputTokens?: number;
  outputTokens?: number;
  cacheReadInputTokens?: number;
  cacheWriteInputTokens?: number;
}

const count = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;

/**
 * Converse usage as Sluice's token counts. Bedrock's inputTokens leaves out the tokens read from
 * and written to the prompt cache; Sluice's inputTokens counts the whole prompt (as OpenAI reports
 * it), so the cache tokens are added and cacheReadTokens / cacheWriteTokens say how many they were.
 */
export function tokenUsageFromBedrock(raw: unknown): TokenUsage | undefined {
  if (raw === null || typeof raw !== 'object') return undefined;
  const usage = raw as BedrockUsage;
  const result: TokenUsage = {};
  const input = count(usage.inputTokens);
  const output = count(usage.outputTokens);
  const cacheRead = count(usage.cacheReadInputTokens);
  const cacheWrite = count(usage.cacheWriteInputTokens);
  if (input !== undefined) result.inputTokens = input + (cacheRead ?? 0) + (cacheWrite ?? 0);
  if (output !== undefined) result.outputTokens = output;
  if (cacheRead !== undefined) result.cacheReadTokens = cacheRead;
  if (cacheWrite !== undefined) result.cacheWriteTokens = cacheWrite;
  return result;
}
