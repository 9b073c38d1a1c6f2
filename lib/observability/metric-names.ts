/**
 * The one list of Sluice's CloudWatch metric names: the request path publishes them (EMF) and the
 * stack's dashboard and alarms read them.
 */
export const METRICS_NAMESPACE = 'Sluice';

export const MetricName = {
  Requests: 'Requests',
  Errors: 'Errors',
  Latency: 'Latency',
  TimeToFirstByte: 'TimeToFirstByte',
  InputTokens: 'InputTokens',
  OutputTokens: 'OutputTokens',
  CostUsd: 'CostUsd',
  BlockedToolCalls: 'BlockedToolCalls',
  AgentExecutions: 'AgentExecutions',
} as const;

export type MetricName = (typeof MetricName)[keyof typeof MetricName];

export const MetricDimension = {
  Provider: 'Provider',
  Model: 'Model',
} as const;

export type MetricDimension = (typeof MetricDimension)[keyof typeof MetricDimension];
