import type { CredentialRef } from '../auth/grant.ts';
import type { ErrorKind } from '../errors/sluice-error.ts';
import type { PolicyDecisions } from '../security/decisions.ts';

export type InteractionOutcome = 'success' | 'upstream_error' | 'error' | 'cancelled' | 'blocked';

export interface Attribution {
  agentId?: string;
  userId?: string;
  sessionId?: string;
  executionId?: string;
}

/**
 * Token counts, with one convention for every provider (adapters map their usage onto it):
 *
 * - `inputTokens` is the TOTAL input, cache-read and cache-write tokens included, as OpenAI and
 *   Gemini report it. Providers that report cache tokens separately must add them up: Anthropic's
 *   `input_tokens` excludes `cache_read_input_tokens` and `cache_creation_input_tokens`, so its
 *   inputTokens = input_tokens + cache_read_input_tokens + cache_creation_input_tokens (Bedrock
 *   Converse's `inputTokens` likewise excludes `cacheReadInputTokens` and `cacheWriteInputTokens`).
 * - `cacheReadTokens` and `cacheWriteTokens` say how many of the input tokens were read from or
 *   written to the provider's prompt cache (a part of inputTokens, never more).
 * - `outputTokens` is the TOTAL output, reasoning tokens included, as OpenAI's
 *   `completion_tokens` and Anthropic's `output_tokens` are. Gemini reports thoughts apart:
 *   outputTokens = candidatesTokenCount + thoughtsTokenCount.
 * - `reasoningTokens` says how many of the output tokens were reasoning (a part of outputTokens).
 *
 * This is the convention of the price catalog (lib/pricing) and of the OpenTelemetry GenAI
 * attributes, so the counts go to both unchanged.
 */
export interface TokenUsage {
  inputTokens?: number;
  outputTokens?: number;
  cacheReadTokens?: number;
  cacheWriteTokens?: number;
  reasoningTokens?: number;
}

/**
 * Why a record has or has no cost: `priced` (costUsd is set), `unknown_model` (the price catalog
 * does not know the model), `unpriced_provider` (a self-hosted provider such as vLLM or Ollama),
 * `no_usage` (nothing was consumed: the call failed before or at the upstream), `invalid_usage`
 * (the reported counts contradict each other, e.g. more cached than input tokens).
 */
export type CostStatus =
  | 'priced'
  | 'unknown_model'
  | 'unpriced_provider'
  | 'no_usage'
  | 'invalid_usage'
  /** The price catalog could not be loaded. */
  | 'catalog_unavailable';

/** One model the model router tried for a request, in order. */
export interface RoutingAttempt {
  provider: string;
  /** The provider-qualified model id, as the client named it. */
  model: string;
  /** The upstream's status, when it answered. */
  status?: number;
  /** Why the next model was tried (or why the last one failed). */
  error?: string;
}

/** The model router's choice: the provider and model that answered, and every attempt. */
export interface RoutingReport {
  provider?: string;
  /** The provider's own model id. */
  model?: string;
  attempts: RoutingAttempt[];
}

/** One record per request that reached a handler: success or failure, streamed or not. */
export interface Interaction extends Attribution, TokenUsage {
  profileId: string;
  /** `<ISO time>#<id>`: the table's sort key. */
  sk: string;
  id: string;
  requestId: string;
  createdAt: string;
  provider: string;
  operation: string;
  method: string;
  path: string;
  /** The model the client asked for. */
  model?: string;
  /** The model the upstream says answered. */
  responseModel?: string;
  stream: boolean;
  status: number;
  outcome: InteractionOutcome;
  /** Why the upstream stopped (`stop`, `length`, `tool_calls`, `end_turn`, …), as the provider says it. */
  finishReason?: string;
  latencyMs: number;
  timeToFirstByteMs?: number;
  requestBytes: number;
  responseBytes: number;
  /** True when the provider gave no usage and the token counts are estimated from the request and response text. */
  tokensEstimated?: boolean;
  /** In US dollars, from the price catalog, cache prices included; absent when costStatus is not `priced`. */
  costUsd?: number;
  costStatus: CostStatus;
  /** The catalog's id of the model the cost was computed for (for example `gpt-4o-mini` for `gpt-4o-mini-2024-07-18`). */
  pricedModel?: string;
  /** The W3C trace id of the client's `traceparent`, when it sent one (the header is passed upstream unchanged). */
  traceId?: string;
  error?: { kind: ErrorKind | 'upstream' | 'cancelled'; message: string };
  /** Trust of each tool result and every blocked tool call (requests that carry tools). */
  policy?: PolicyDecisions;
  /** Which credential the caller used (its kind and id, never the secret). */
  credential?: CredentialRef;
  /** Model router requests: every model tried, in order (the record's provider and model are the last one's). */
  attempts?: RoutingAttempt[];
  /** Epoch seconds: DynamoDB TTL. */
  expiresAt: number;
}
