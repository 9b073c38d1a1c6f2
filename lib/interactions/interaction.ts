import type { ErrorKind } from '../errors/sluice-error.ts';
import type { PolicyDecisions } from '../security/decisions.ts';

export type InteractionOutcome = 'success' | 'upstream_error' | 'error' | 'cancelled' | 'blocked';

export interface Attribution {
  agentId?: string;
  userId?: string;
  sessionId?: string;
  executionId?: string;
}

export interface TokenUsage {
  inputTokens?: number;
  outputTokens?: number;
  cacheReadTokens?: number;
  cacheWriteTokens?: number;
  reasoningTokens?: number;
}

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
  latencyMs: number;
  timeToFirstByteMs?: number;
  requestBytes: number;
  responseBytes: number;
  error?: { kind: ErrorKind | 'upstream' | 'cancelled'; message: string };
  /** Trust of each tool result and every blocked tool call (requests that carry tools). */
  policy?: PolicyDecisions;
  /** Model router requests: every model tried, in order (the record's provider and model are the last one's). */
  attempts?: RoutingAttempt[];
  /** Epoch seconds: DynamoDB TTL. */
  expiresAt: number;
}
