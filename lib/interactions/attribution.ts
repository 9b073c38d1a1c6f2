import type { Attribution } from './interaction.ts';

const MAX_LENGTH = 256;

function clean(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed.slice(0, MAX_LENGTH);
}

/**
 * Reads X-Sluice-Agent-Id, -User-Id, -Session-Id, -Execution-Id and X-Sluice-Meta
 * (`agent/execution/session`); an individual header wins over the same part of Meta.
 */
export function readAttribution(headers: Record<string, string>): Attribution {
  const [metaAgent, metaExecution, metaSession] = (headers['x-sluice-meta'] ?? '').split('/');
  const attribution: Attribution = {};
  const agentId = clean(headers['x-sluice-agent-id']) ?? clean(metaAgent);
  const userId = clean(headers['x-sluice-user-id']);
  const sessionId = clean(headers['x-sluice-session-id']) ?? clean(metaSession);
  const executionId = clean(headers['x-sluice-execution-id']) ?? clean(metaExecution);
  if (agentId) attribution.agentId = agentId;
  if (userId) attribution.userId = userId;
  if (sessionId) attribution.sessionId = sessionId;
  if (executionId) attribution.executionId = executionId;
  return attribution;
}
