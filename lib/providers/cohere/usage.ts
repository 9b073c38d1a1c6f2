import type { TokenUsage } from '../../interactions/interaction.ts';

interface TokenCounts {
  input_tokens?: unknown;
  output_tokens?: unknown;
}

/** v2 `usage`, or v1 `meta`: both carry `billed_units` and `tokens`. */
interface CohereUsage {
  billed_units?: TokenCounts | null;
  tokens?: TokenCounts | null;
}

const count = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;

/**
 * Cohere usage as Sluice's token counts. Cohere reports `billed_units` (what is charged) and
 * `tokens` (what the model processed, prompt template included); the billed counts are recorded,
 * the processed ones only when no billed count is given.
 */
export function tokenUsageFromCohere(raw: unknown): TokenUsage | undefined {
  if (raw === null || typeof raw !== 'object') return undefined;
  const usage = raw as CohereUsage;
  const input = count(usage.billed_units?.input_tokens) ?? count(usage.tokens?.input_tokens);
  const output = count(usage.billed_units?.output_tokens) ?? count(usage.tokens?.output_tokens);
  if (input === undefined && output === undefined) return undefined;
  const result: TokenUsage = {};
  if (input !== undefined) result.inputTokens = input;
  if (output !== undefined) result.outputTokens = output;
  return result;
}
