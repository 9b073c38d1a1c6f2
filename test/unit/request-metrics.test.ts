import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { METRICS_NAMESPACE, MetricDimension, MetricName } from '../../lib/observability/metric-names.ts';
import { guardedMetricsPublisher, publishRequestMetrics } from '../../lib/observability/request-metrics.ts';
import type { Interaction } from '../../lib/interactions/interaction.ts';
import { sampleRecord as sampleOf } from '../support/records.ts';
import { StdoutCapture } from '../support/stdout-capture.ts';

let capture: StdoutCapture;
beforeEach(() => {
  capture = new StdoutCapture().start();
});
afterEach(() => capture.stop());

/** A sample record of a request that has just ended (CloudWatch takes no line dated over 14 days ago). */
const sampleRecord = (overrides: Partial<Interaction> = {}) => sampleOf({ createdAt: new Date(Date.now() - 200).toISOString(), ...overrides });

describe('publishRequestMetrics', () => {
  it('writes one line in the Sluice namespace: every metric for the gateway, by provider and by model', () => {
    publishRequestMetrics(
      sampleRecord({ agentId: 'agent-7', userId: 'user-1', sessionId: 'sess-3', executionId: 'exec-9', traceId: 'abc' }),
    );
    const lines = capture.emf();
    expect(lines).toHaveLength(1);
    const line = lines[0]!;

    const definition = line._aws.CloudWatchMetrics[0]!;
    expect(definition.Namespace).toBe(METRICS_NAMESPACE);
    expect(definition.Dimensions).toEqual([
      [MetricDimension.Service],
      [MetricDimension.Service, MetricDimension.Provider],
      [MetricDimension.Service, MetricDimension.Provider, MetricDimension.Model],
    ]);
    expect(Object.fromEntries(definition.Metrics.map((m) => [m.Name, m.Unit]))).toEqual({
      [MetricName.Requests]: 'Count',
      [MetricName.Errors]: 'Count',
      [MetricName.Latency]: 'Milliseconds',
      [MetricName.TimeToFirstByte]: 'Milliseconds',
      [MetricName.BlockedToolCalls]: 'Count',
      [MetricName.AgentExecutions]: 'Count',
      [MetricName.InputTokens]: 'Count',
      [MetricName.OutputTokens]: 'Count',
      [MetricName.CostUsd]: 'None',
    });
    expect(line).toMatchObject({
      service: 'sluice',
      Provider: 'openai',
      Model: 'gpt-4o-mini',
      Requests: 1,
      Errors: 0,
      Latency: 120.5,
      TimeToFirstByte: 80.25,
      BlockedToolCalls: 0,
      AgentExecutions: 1,
      InputTokens: 12,
      OutputTokens: 7,
      CostUsd: 0.000006,
      // per-user and per-request values: metadata, searchable in the log line, never dimensions
      userId: 'user-1',
      agentId: 'agent-7',
      sessionId: 'sess-3',
      executionId: 'exec-9',
      interactionId: 'i-1',
      profileId: 'default',
      traceId: 'abc',
    });
  });

  it('never makes a per-user value a dimension', () => {
    publishRequestMetrics(sampleRecord({ userId: 'user-1', profileId: 'team-a' }));
    for (const line of capture.emf()) {
      for (const set of line._aws.CloudWatchMetrics[0]!.Dimensions) {
        expect(set.every((name) => ([MetricDimension.Service, MetricDimension.Provider, MetricDimension.Model] as string[]).includes(name))).toBe(true);
      }
    }
  });

  it('counts errors and blocked tool calls, and omits what a failed call does not have', () => {
    publishRequestMetrics(
      sampleRecord({
        status: 402,
        outcome: 'error',
        timeToFirstByteMs: undefined,
        inputTokens: undefined,
        outputTokens: undefined,
        costUsd: undefined,
        costStatus: 'no_usage',
        policy: {
          contextUntrusted: true,
          untrustedByHeader: false,
          toolResults: [],
          blockedToolCalls: [
            { id: 'call_1', name: 'rm', reason: 'untrusted context' },
            { id: 'call_2', name: 'curl', reason: 'untrusted context' },
          ],
        },
      }),
    );
    const lines = capture.emf();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ Requests: 1, Errors: 1, BlockedToolCalls: 2, AgentExecutions: 0 });
    expect(lines[0]).not.toHaveProperty('TimeToFirstByte');
  });

  it('publishes tokens without a cost for an unpriced model', () => {
    publishRequestMetrics(sampleRecord({ model: 'my-finetune', costUsd: undefined, costStatus: 'unknown_model' }));
    const [line, ...more] = capture.emf();
    expect(more).toEqual([]);
    expect(line).toMatchObject({ Model: 'my-finetune', InputTokens: 12, costStatus: 'unknown_model' });
    expect(line).not.toHaveProperty('CostUsd');
    expect(line!._aws.CloudWatchMetrics[0]!.Metrics.map((m) => m.Name)).not.toContain(MetricName.CostUsd);
  });

  it('starts every line afresh: nothing of one request reaches the next one\'s line', () => {
    publishRequestMetrics(sampleRecord({ agentId: 'agent-7', executionId: 'exec-9', provider: 'anthropic', model: 'claude-x' }));
    publishRequestMetrics(sampleRecord({ id: 'i-2', inputTokens: undefined, outputTokens: undefined, costUsd: undefined }));
    publishRequestMetrics(sampleRecord({ id: 'i-3', model: 'gpt-4.1' }));
    const lines = capture.emf();
    expect(lines).toHaveLength(3);
    const [first, second, third] = lines;
    expect(first).toMatchObject({ Provider: 'anthropic', Model: 'claude-x', agentId: 'agent-7' });
    expect(second).toMatchObject({ Provider: 'openai', interactionId: 'i-2', AgentExecutions: 0 });
    expect(second).not.toHaveProperty('agentId');
    expect(second).not.toHaveProperty('InputTokens');
    expect(second!._aws.CloudWatchMetrics[0]!.Metrics.map((m) => m.Name)).not.toContain(MetricName.InputTokens);
    expect(third).toMatchObject({ Provider: 'openai', Model: 'gpt-4.1', interactionId: 'i-3', InputTokens: 12 });
    expect(third).not.toHaveProperty('agentId');
    for (const line of lines) expect(line._aws.CloudWatchMetrics[0]!.Dimensions).toHaveLength(3);
    for (const line of lines) expect(Math.abs(line._aws.Timestamp - Date.now())).toBeLessThan(60_000);
  });

  it('dates the line when the request ended, however late it is published', () => {
    const endedAt = Date.now() - 5 * 60_000;
    publishRequestMetrics(sampleRecord({ createdAt: new Date(endedAt - 1500).toISOString(), latencyMs: 1500.4 }));
    expect(capture.emf()[0]!._aws.Timestamp).toBe(endedAt);
  });
});

describe('guardedMetricsPublisher', () => {
  it('publishes as publishRequestMetrics does', () => {
    const warn = vi.fn();
    guardedMetricsPublisher({ warn })(sampleRecord({ id: 'i-guarded' }));
    expect(capture.emf()).toEqual([expect.objectContaining({ interactionId: 'i-guarded', Requests: 1 })]);
    expect(warn).not.toHaveBeenCalled();
  });

  it('logs a failure instead of throwing it, so the record it goes with is still written', () => {
    const warn = vi.fn();
    const broken = sampleRecord({ id: 'i-broken' });
    Object.defineProperty(broken, 'provider', { get: () => { throw new Error('no provider'); } });
    expect(() => guardedMetricsPublisher({ warn })(broken)).not.toThrow();
    expect(warn).toHaveBeenCalledWith('request metrics failed', expect.objectContaining({ interactionId: 'i-broken', error: 'no provider' }));
  });
});
