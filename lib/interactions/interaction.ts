import type { CredentialRef } from '../auth/grant.ts';
import type { ErrorKind } from '../errors/sluice-error.ts';

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
  /** Which credential the caller used (its kind and id, never the secret). */
  credential?: CredentialRef;
  /** Epoch seconds: DynamoDB TTL. */
  expiresAt: number;
}
