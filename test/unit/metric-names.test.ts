import { describe, expect, it } from 'vitest';
import { MetricDimension, metricDefinitions, metricDimensionSets, metricNames } from '../../lib/observability/metric-names.ts';

describe('metric names', () => {
  it('lists the metrics the design names, each defined once under its own name', () => {
    expect(metricNames).toEqual([
      'Requests',
      'Errors',
      'Latency',
      'TimeToFirstByte',
      'InputTokens',
      'OutputTokens',
      'CostUsd',
      'BlockedToolCalls',
      'AgentExecutions',
    ]);
    for (const name of metricNames) expect(metricDefinitions[name].name).toBe(name);
  });

  it('emits every metric for the whole gateway, by provider and by model', () => {
    expect(metricDimensionSets).toEqual([
      [MetricDimension.Service],
      [MetricDimension.Service, MetricDimension.Provider],
      [MetricDimension.Service, MetricDimension.Provider, MetricDimension.Model],
    ]);
    expect(metricDefinitions.Latency.unit).toBe('Milliseconds');
    expect(metricDefinitions.TimeToFirstByte.unit).toBe('Milliseconds');
  });
});
