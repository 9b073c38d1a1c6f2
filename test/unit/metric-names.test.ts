import { describe, expect, it } from 'vitest';
import { MetricDimension, MetricName, metricDefinitions, metricNames } from '../../lib/observability/metric-names.ts';

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

  it('emits every metric for the whole gateway and by provider, and tokens and cost by model too', () => {
    const gateway = [MetricDimension.Service];
    const byProvider = [MetricDimension.Service, MetricDimension.Provider];
    const byModel = [MetricDimension.Service, MetricDimension.Provider, MetricDimension.Model];
    for (const name of metricNames) {
      const perModel = name === MetricName.InputTokens || name === MetricName.OutputTokens || name === MetricName.CostUsd;
      expect(metricDefinitions[name].dimensionSets).toEqual(perModel ? [gateway, byProvider, byModel] : [gateway, byProvider]);
    }
    expect(metricDefinitions.Latency.unit).toBe('Milliseconds');
    expect(metricDefinitions.TimeToFirstByte.unit).toBe('Milliseconds');
  });
});
