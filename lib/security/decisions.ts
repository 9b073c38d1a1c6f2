import type { ResultTrust } from './trusted-data.ts';

/** The security pipeline's decisions for one request, kept in its interaction record. */
export interface PolicyDecisions {
  contextUntrusted: boolean;
  /** X-Sluice-Context-Untrusted: true was sent. */
  untrustedByHeader: boolean;
  toolResults: Array<{ callId: string; toolName?: string; trust: ResultTrust; policyId?: string }>;
  blockedToolCalls: Array<{ id: string; name: string; reason: string; policyId?: string }>;
  /** Decisions left out of the record (blocked calls kept first) so that it fits in one DynamoDB item. */
  omitted?: number;
}
