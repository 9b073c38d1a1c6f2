import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Interaction } from '../interactions/interaction.ts';
import type { Logger } from './logger.ts';
import { METRICS_NAMESPACE, METRICS_SERVICE, MetricDimension, MetricName, metricDimensionSets } from './metric-names.ts';

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

const isError = (record: Interaction) => record.outcome === 'error' || record.outcome === 'upstream_error';

/**
 * Powertools warns on every line that a dimension (Provider) appears in more than one dimension
 * set, which is exactly the EMF Sluice means to write (the same metric by provider, and by provider
 * and model). That one warning is dropped (a console write per request); every other message passes.
 */
const quietLogger = {
  debug: console.debug,
  info: console.info,
  error: console.error,
  warn: (...args: unknown[]) => {
    if (typeof args[0] === 'string' && /^EMF key ".*" is defined as both a dimension set and dimension set/.test(args[0])) return;
    console.warn(...args);
  },
};

/**
 * One Metrics object, made on first use and reused: a Metrics object reads a dozen environment
 * variables and builds a Console when made, which cost more than the line itself. Reuse is safe
 * with concurrent requests in one process (the local server) because a line is filled and
 * published synchronously, and publishing clears its dimensions, metrics and metadata.
 */
let metrics: Metrics | undefined;

/** Each dimension set's own dimensions: Powertools adds `service` to every set itself. */
const dimensionsOfSets = metricDimensionSets.map((set) => set.filter((name) => name !== MetricDimension.Service));

/**
 * Publishes one request's CloudWatch metrics as one EMF line on stdout (Lambda ships stdout to
 * CloudWatch Logs, which extracts the metrics): Requests, Errors, Latency, TimeToFirstByte,
 * BlockedToolCalls, AgentExecutions and, when the call used tokens, InputTokens, OutputTokens and
 * CostUsd, each for the gateway, by provider and by model. One line rather than one per group of
 * metrics: each line costs Powertools about as much to build as its metrics, and is a log event
 * CloudWatch Logs bills.
 */
export function publishRequestMetrics(record: Interaction): void {
  metrics ??= new Metrics({ namespace: METRICS_NAMESPACE, serviceName: METRICS_SERVICE, logger: quietLogger });
  const values: Record<string, string> = {
    [MetricDimension.Provider]: record.provider,
    [MetricDimension.Model]: record.model ?? record.responseModel ?? 'unknown',
  };
  for (const names of dimensionsOfSets) metrics.addDimensions(Object.fromEntries(names.map((name) => [name, values[name]!])));
  metrics.addMetric(MetricName.Requests, MetricUnit.Count, 1);
  metrics.addMetric(MetricName.Errors, MetricUnit.Count, isError(record) ? 1 : 0);
  metrics.addMetric(MetricName.Latency, MetricUnit.Milliseconds, record.latencyMs);
  if (record.timeToFirstByteMs !== undefined) metrics.addMetric(MetricName.TimeToFirstByte, MetricUnit.Milliseconds, record.timeToFirstByteMs);
  metrics.addMetric(MetricName.BlockedToolCalls, MetricUnit.Count, record.policy?.blockedToolCalls?.length ?? 0);
  metrics.addMetric(MetricName.AgentExecutions, MetricUnit.Count, record.executionId ? 1 : 0);
  if (record.inputTokens !== undefined) metrics.addMetric(MetricName.InputTokens, MetricUnit.Count, record.inputTokens);
  if (record.outputTokens !== undefined) metrics.addMetric(MetricName.OutputTokens, MetricUnit.Count, record.outputTokens);
  if (record.costUsd !== undefined) metrics.addMetric(MetricName.CostUsd, MetricUnit.NoUnit, record.costUsd);
  for (const [key, value] of Object.entries(metadataOf(record))) metrics.addMetadata(key, value);
  // Dated when the request ended, not when the line is written: the local server's record worker
  // publishes it a few milliseconds later.
  metrics.setTimestamp(Math.round(Date.parse(record.createdAt) + record.latencyMs));
  metrics.publishStoredMetrics();
}

/**
 * publishRequestMetrics for work that must go on whatever happens to the metrics (the record
 * worker publishes them just before it writes the records): a failure is logged, never thrown.
 */
export function guardedMetricsPublisher(logger: Pick<Logger, 'warn'>): (record: Interaction) => void {
  return (record) => {
    try {
      publishRequestMetrics(record);
    } catch (error) {
      logger.warn('request metrics failed', {
        requestId: record.requestId,
        interactionId: record.id,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  };
}
