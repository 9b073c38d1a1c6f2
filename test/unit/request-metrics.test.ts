import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { METRICS_NAMESPACE, MetricDimension, MetricName } from '../../lib/observability/metric-names.ts';
import { publishRequestMetrics } from '../../lib/observability/request-metrics.ts';
import { sampleRecord } from '../support/records.ts';
import { StdoutCapture } from '../support/stdout-capture.ts';

let capture: StdoutCapture;
beforeEach(() => {
  capture = new StdoutCapture().start();
});
afterEach(() => capture.stop());

describe('publishRequestMetrics', () => {
  it('writes a Provider line and a Provider+Model line in the Sluice namespace', () => {
    publishRequestMetrics(
      sampleRecord({ agentId: 'agent-7', userId: 'user-1', sessionId: 'sess-3', executionId: 'exec-9', traceId: 'abc' }),
    );
    const [request, tokens] = capture.emf();
    expect(capture.emf()).toHaveLength(2);

    const requestMetrics = request!._aws.CloudWatchMetrics[0]!;
    expect(requestMetrics.Namespace).toBe(METRICS_NAMESPACE);
    expect(requestMetrics.Dimensions).toEqual([[MetricDimension.Service], [MetricDimension.Service, MetricDimension.Provider]]);
    expect(Object.fromEntries(requestMetrics.Metrics.map((m) => [m.Name, m.Unit]))).toEqual({
      [MetricName.Requests]: 'Count',
      [MetricName.Errors]: 'Count',
      [MetricName.Latency]: 'Milliseconds',
      [MetricName.TimeToFirstByte]: 'Milliseconds',
      [MetricName.BlockedToolCalls]: 'Count',
      [MetricName.AgentExecutions]: 'Count',
    });
    expect(request).toMatchObject({
      Provider: 'openai',
      Requests: 1,
      Errors: 0,
      Latency: 120.5,
      TimeToFirstByte: 80.25,
      BlockedToolCalls: 0,
      AgentExecutions: 1,
      // per-user and per-request values: metadata, searchable in the log line, never dimensions
      userId: 'user-1',
      agentId: 'agent-7',
      sessionId: 'sess-3',
      executionId: 'exec-9',
      interactionId: 'i-1',
      profileId: 'default',
      traceId: 'abc',
    });

    const tokenMetrics = tokens!._aws.CloudWatchMetrics[0]!;
    expect(tokenMetrics.Dimensions).toEqual([
      [MetricDimension.Service],
      [MetricDimension.Service, MetricDimension.Provider],
      [MetricDimension.Service, MetricDimension.Provider, MetricDimension.Model],
    ]);
    expect(tokenMetrics.Metrics.map((m) => m.Name).sort()).toEqual([MetricName.CostUsd, MetricName.InputTokens, MetricName.OutputTokens].sort());
    expect(tokens).toMatchObject({ Provider: 'openai', Model: 'gpt-4o-mini', InputTokens: 12, OutputTokens: 7, CostUsd: 0.000006 });
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
    const tokens = capture.emf()[1]!;
    expect(tokens).toMatchObject({ Model: 'my-finetune', InputTokens: 12, costStatus: 'unknown_model' });
    expect(tokens).not.toHaveProperty('CostUsd');
  });

  it('starts every line afresh: nothing of one request reaches the next one\'s line', () => {
    publishRequestMetrics(sampleRecord({ agentId: 'agent-7', executionId: 'exec-9', provider: 'anthropic', model: 'claude-x' }));
    publishRequestMetrics(sampleRecord({ id: 'i-2', inputTokens: undefined, outputTokens: undefined, costUsd: undefined }));
    publishRequestMetrics(sampleRecord({ id: 'i-3', model: 'gpt-4.1' }));
    const lines = capture.emf();
    expect(lines).toHaveLength(5);
    const [, , second, third, thirdUsage] = lines;
    expect(second).toMatchObject({ Provider: 'openai', interactionId: 'i-2', AgentExecutions: 0 });
    expect(second).not.toHaveProperty('agentId');
    expect(second).not.toHaveProperty('InputTokens');
    expect(second!._aws.CloudWatchMetrics[0]!.Dimensions).toEqual([[MetricDimension.Service], [MetricDimension.Service, MetricDimension.Provider]]);
    expect(third).toMatchObject({ Provider: 'openai', interactionId: 'i-3' });
    expect(thirdUsage).toMatchObject({ Provider: 'openai', Model: 'gpt-4.1', InputTokens: 12 });
    expect(thirdUsage!._aws.CloudWatchMetrics[0]!.Dimensions).toHaveLength(3);
    for (const line of lines) expect(Math.abs(line._aws.Timestamp - Date.now())).toBeLessThan(60_000);
  });
});
