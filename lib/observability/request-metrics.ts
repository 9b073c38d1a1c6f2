import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Interaction } from '../interactions/interaction.ts';
import { METRICS_NAMESPACE, METRICS_SERVICE, MetricDimension, MetricName, metricDefinitions } from './metric-names.ts';

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
 * One EMF line whose metrics share their dimension sets: Powertools' `service` dimension is the
 * gateway-wide set, and each further set is added whole ([service, Provider], [service, Provider,
 * Model]), exactly as metric-names.ts lists them for the dashboard and alarms.
 */
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
 * One Metrics object per kind of line, made on first use and reused: a Metrics object reads a
 * dozen environment variables and builds a Console when made, which cost more than the line
 * itself. Reuse is safe with concurrent requests in one process (the local server) because a
 * line is filled and published synchronously, and publishing clears its dimensions, metrics and
 * metadata.
 */
const lines = new Map<string, Metrics>();

function line(kind: 'request' | 'usage', dimensionSets: ReadonlyArray<readonly MetricDimension[]>, values: Record<string, string>): Metrics {
  let metrics = lines.get(kind);
  if (!metrics) {
    metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: METRICS_SERVICE, logger: quietLogger });
    lines.set(kind, metrics);
  }
  for (const set of dimensionSets) {
    metrics.addDimensions(Object.fromEntries(set.filter((name) => name !== MetricDimension.Service).map((name) => [name, values[name]!])));
  }
  return metrics;
}

/**
 * Publishes one request's CloudWatch metrics as EMF lines on stdout (Lambda ships stdout to
 * CloudWatch Logs, which extracts the metrics): the request line (Requests, Errors, Latency,
 * TimeToFirstByte, BlockedToolCalls, AgentExecutions) and, when the call used tokens, the usage line
 * (InputTokens, OutputTokens, CostUsd, also by Model).
 */
export function publishRequestMetrics(record: Interaction): void {
  const metadata = metadataOf(record);
  const values = {
    [MetricDimension.Provider]: record.provider,
    [MetricDimension.Model]: record.model ?? record.responseModel ?? 'unknown',
  };
  const requestLine = line('request', metricDefinitions.Requests.dimensionSets, values);
  requestLine.addMetric(MetricName.Requests, MetricUnit.Count, 1);
  requestLine.addMetric(MetricName.Errors, MetricUnit.Count, isError(record) ? 1 : 0);
  requestLine.addMetric(MetricName.Latency, MetricUnit.Milliseconds, record.latencyMs);
  if (record.timeToFirstByteMs !== undefined) {
    requestLine.addMetric(MetricName.TimeToFirstByte, MetricUnit.Milliseconds, record.timeToFirstByteMs);
  }
  requestLine.addMetric(MetricName.BlockedToolCalls, MetricUnit.Count, record.policy?.blockedToolCalls?.length ?? 0);
  requestLine.addMetric(MetricName.AgentExecutions, MetricUnit.Count, record.executionId ? 1 : 0);
  for (const [key, value] of Object.entries(metadata)) requestLine.addMetadata(key, value);
  requestLine.publishStoredMetrics();

  if (record.inputTokens === undefined && record.outputTokens === undefined) return;
  const usageLine = line('usage', metricDefinitions.InputTokens.dimensionSets, values);
  if (record.inputTokens !== undefined) usageLine.addMetric(MetricName.InputTokens, MetricUnit.Count, record.inputTokens);
  if (record.outputTokens !== undefined) usageLine.addMetric(MetricName.OutputTokens, MetricUnit.Count, record.outputTokens);
  if (record.costUsd !== undefined) usageLine.addMetric(MetricName.CostUsd, MetricUnit.NoUnit, record.costUsd);
  for (const [key, value] of Object.entries(metadata)) usageLine.addMetadata(key, value);
  usageLine.publishStoredMetrics();
}
