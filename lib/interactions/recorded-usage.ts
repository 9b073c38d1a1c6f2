import { priceUsage, type Cost } from '../pricing/price-usage.ts';
import type { TokenUsage } from './interaction.ts';
import type { ResponseSample } from './response-sample.ts';
import { estimateRequestTokens, estimateResponseTokens } from './token-estimate.ts';

export interface RecordedUsageInput {
  provider: string;
  /** Tried in order for the price: the model that answered, then the one asked for. */
  models: ReadonlyArray<string | undefined>;
  /** The usage the provider reported, if any. */
  reported: TokenUsage | undefined;
  requestBody: Buffer;
  /** The kept start of a successful answer; undefined when no answer was relayed (nothing billed). */
  response: ResponseSample | undefined;
  /** The answer was a stream that ended early (the client left, or it broke): its report, if any, is partial. */
  incomplete?: boolean;
  at: Date;
}

export type RecordedUsage = TokenUsage & Cost & { tokensEstimated?: boolean };

/**
 * The token counts and cost of a record. When the upstream answered but reported no usage at all,
 * the counts are estimated from the request and answer text and the record says
 * `tokensEstimated: true`. A partial report of a complete answer is kept as it is: an embeddings
 * answer has input tokens and, rightly, no output tokens.
 */
export function recordedUsage(input: RecordedUsageInput): RecordedUsage {
  const usage: TokenUsage & { tokensEstimated?: boolean } = { ...input.reported };
  if (input.response && usage.inputTokens === undefined && usage.outputTokens === undefined) {
    usage.inputTokens = estimateRequestTokens(input.requestBody);
    usage.tokensEstimated = true;
    const output = estimateResponseTokens(input.response.chunks, input.response.totalBytes);
    if (output !== undefined) usage.outputTokens = output;
  } else if (input.response && input.incomplete) {
    // A stream cut short reported its usage only in part (Anthropic's first event says one output
    // token, Gemini's chunks the prompt alone): the output seen so far is estimated when it is more.
    const seen = estimateResponseTokens(input.response.chunks, input.response.totalBytes);
    if (seen !== undefined && seen > (usage.outputTokens ?? 0)) {
      usage.outputTokens = seen;
      usage.tokensEstimated = true;
    }
  }
  return { ...usage, ...priceUsage(input.provider, input.models, usage, input.at) };
}
