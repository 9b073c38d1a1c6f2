/**
 * The one list of Sluice's CloudWatch metrics: the handlers emit these (as EMF through Powertools
 * Metrics) and the stack's dashboard and alarms read them, so a name changes in one place.
 *
 * Powertools Metrics adds a `service` dimension to every metric it emits; Sluice sets it to
 * METRICS_SERVICE and emits every metric under the same three dimension sets (one EMF line per
 * request carries them all):
 *   - [service]                    the whole gateway (alarms, totals)
 *   - [service, Provider]          per provider (the dashboard's lines)
 *   - [service, Provider, Model]   per model (which model is slow, failing or costly)
 * `Provider` is the provider id that served the request (`openai`, `bedrock`, …, the upstream
 * provider for the model router), `Model` the model as the request named it.
 */
export const METRICS_NAMESPACE = 'Sluice';
export const METRICS_SERVICE = 'sluice';

export const MetricDimension = {
  Service: 'service',
  Provider: 'Provider',
  Model: 'Model',
} as const;
export type MetricDimension = (typeof MetricDimension)[keyof typeof MetricDimension];

/** CloudWatch units, spelled as Powertools' MetricUnit values. */
export type MetricUnitName = 'Count' | 'Milliseconds' | 'None';

export interface MetricDefinition {
  name: string;
  unit: MetricUnitName;
  description: string;
}

/** The dimension sets every metric is emitted under. */
export const metricDimensionSets: ReadonlyArray<readonly MetricDimension[]> = [
  [MetricDimension.Service],
  [MetricDimension.Service, MetricDimension.Provider],
  [MetricDimension.Service, MetricDimension.Provider, MetricDimension.Model],
];

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

export const metricDefinitions: Readonly<Record<MetricName, MetricDefinition>> = {
  Requests: {
    name: MetricName.Requests,
    unit: 'Count',
    description: 'Requests that reached a handler, one per interaction record.',
  },
  Errors: {
    name: MetricName.Errors,
    unit: 'Count',
    description: 'Requests that ended with a 5xx status or an upstream failure.',
  },
  Latency: {
    name: MetricName.Latency,
    unit: 'Milliseconds',
    description: 'Time from the request reaching the handler to the last byte of the response.',
  },
  TimeToFirstByte: {
    name: MetricName.TimeToFirstByte,
    unit: 'Milliseconds',
    description: 'Time from the request reaching the handler to the first response byte sent to the client.',
  },
  InputTokens: {
    name: MetricName.InputTokens,
    unit: 'Count',
    description: 'Prompt tokens the upstream reported.',
  },
  OutputTokens: {
    name: MetricName.OutputTokens,
    unit: 'Count',
    description: 'Completion tokens the upstream reported.',
  },
  CostUsd: {
    name: MetricName.CostUsd,
    unit: 'None',
    description: 'Estimated cost of the request in US dollars.',
  },
  BlockedToolCalls: {
    name: MetricName.BlockedToolCalls,
    unit: 'Count',
    description: 'Tool calls a tool-invocation policy blocked.',
  },
  AgentExecutions: {
    name: MetricName.AgentExecutions,
    unit: 'Count',
    description: 'Requests that started a new agent execution (a new X-Sluice-Execution-Id).',
  },
};

export const metricNames: readonly MetricName[] = Object.values(MetricName);
