import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Interaction } from '../interactions/interaction.ts';
import { METRICS_NAMESPACE, MetricDimension, MetricName } from './metric-names.ts';

/** What is searchable in the EMF log line but never a dimension (per-user and per-request values). */
function metadataOf(record: Interaction): Record<string, string> {
  const metadata: Record<string, string> = {
    interactionId: record.id,
    requestId: record.requestId,
    profileId: record.profileId,
    operation: record.operation,
    status: String(record.status),
    outcome: record.outcome,
  };
  for (const key of ['agentId', 'userId', 'sessionId', 'executionId', 'traceId', 'costStatus'] as const) {
    const value = record[key];
    if (value !== undefined) metadata[key] = value;
  }
  return metadata;
}

/** Sluice's metrics carry exactly the dimensions named here (Powertools' default `service` is dropped). */
function freshMetrics(): Metrics {
  const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: 'sluice' });
  metrics.clearDefaultDimensions();
  return metrics;
}

const isError = (record: Interaction) => record.outcome === 'error' || record.outcome === 'upstream_error';

/**
 * Publishes one request's CloudWatch metrics as EMF lines on stdout (Lambda ships stdout to
 * CloudWatch Logs, which extracts the metrics): a line with dimension Provider (Requests, Errors,
 * Latency, TimeToFirstByte, BlockedToolCalls, AgentExecutions) and, when the call used tokens, a
 * line with dimensions Provider and Model (InputTokens, OutputTokens, CostUsd). A fresh Metrics
 * object per request: the local server serves requests concurrently in one process.
 */
export function publishRequestMetrics(record: Interaction): void {
  const metadata = metadataOf(record);
  const metrics = freshMetrics();
  metrics.addDimension(MetricDimension.Provider, record.provider);
  metrics.addMetric(MetricName.Requests, MetricUnit.Count, 1);
  metrics.addMetric(MetricName.Errors, MetricUnit.Count, isError(record) ? 1 : 0);
  metrics.addMetric(MetricName.Latency, MetricUnit.Milliseconds, record.latencyMs);
  if (record.timeToFirstByteMs !== undefined) {
    metrics.addMetric(MetricName.TimeToFirstByte, MetricUnit.Milliseconds, record.timeToFirstByteMs);
  }
  metrics.addMetric(MetricName.BlockedToolCalls, MetricUnit.Count, record.policy?.blockedToolCalls?.length ?? 0);
  metrics.addMetric(MetricName.AgentExecutions, MetricUnit.Count, record.executionId ? 1 : 0);
  for (const [key, value] of Object.entries(metadata)) metrics.addMetadata(key, value);
  metrics.publishStoredMetrics();

  if (record.inputTokens === undefined && record.outputTokens === undefined) return;
  metrics.addDimensions({
    [MetricDimension.Provider]: record.provider,
    [MetricDimension.Model]: record.model ?? record.responseModel ?? 'unknown',
  });
  if (record.inputTokens !== undefined) metrics.addMetric(MetricName.InputTokens, MetricUnit.Count, record.inputTokens);
  if (record.outputTokens !== undefined) metrics.addMetric(MetricName.OutputTokens, MetricUnit.Count, record.outputTokens);
  if (record.costUsd !== undefined) metrics.addMetric(MetricName.CostUsd, MetricUnit.NoUnit, record.costUsd);
  for (const [key, value] of Object.entries(metadata)) metrics.addMetadata(key, value);
  metrics.publishStoredMetrics();
}
