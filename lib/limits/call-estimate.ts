import { estimateJsonTokens, estimateTokens } from '../interactions/token-estimate.ts';
import { priceUsage } from '../pricing/price-usage.ts';

/** Output reserved for a call that sets no output cap: settled to the true count afterwards. */
export const DEFAULT_OUTPUT_RESERVATION = 1024;

/** Where the providers' request bodies cap the output (OpenAI, Anthropic, Cohere, Gemini, Bedrock Converse). */
const OUTPUT_CAPS: ReadonlyArray<readonly string[]> = [
  ['max_completion_tokens'],
  ['max_output_tokens'],
  ['max_tokens'],
  ['generationConfig', 'maxOutputTokens'],
  ['inferenceConfig', 'maxTokens'],
];

function outputCap(body: unknown): number | undefined {
  for (const path of OUTPUT_CAPS) {
    let value: unknown = body;
    for (const key of path) value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
    if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return Math.ceil(value);
  }
  return undefined;
}

export interface CallEstimate {
  inputTokens: number;
  outputTokens: number;
  /** inputTokens + outputTokens. */
  tokens: number;
  /** 0 when the price catalog does not know the model. */
  costUsd: number;
}

/**
 * What a call may use, before it is made: the input estimated from the request body, the output
 * at its cap (the request's max tokens field, else DEFAULT_OUTPUT_RESERVATION; none for
 * embeddings), priced like the record will be.
 */
export function estimateCall(input: { provider: string; model: string | undefined; operation: string; body: Buffer; at: Date }): CallEstimate {
  const text = input.body.toString('utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const inputTokens = json === undefined ? estimateTokens(text) : estimateJsonTokens(json);
  const outputTokens = input.operation.startsWith('embed') ? 0 : (outputCap(json) ?? DEFAULT_OUTPUT_RESERVATION);
  const cost = priceUsage(input.provider, [input.model], { inputTokens, outputTokens }, input.at);
  return { inputTokens, outputTokens, tokens: inputTokens + outputTokens, costUsd: cost.costUsd ?? 0 };
}
