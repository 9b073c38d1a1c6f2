import xray from 'aws-xray-sdk-core';
import { describe, expect, it } from 'vitest';
import { genAiAttributes } from '../../lib/observability/gen-ai-attributes.ts';
import { loadTracer } from '../../lib/observability/request-telemetry.ts';
import { parseTraceparent } from '../../lib/observability/trace-context.ts';
import { traceUpstreamCall, type TraceSpan } from '../../lib/observability/upstream-trace.ts';
import { sampleRecord } from '../support/records.ts';

describe('parseTraceparent', () => {
  const valid = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

  it('reads a W3C traceparent', () => {
    expect(parseTraceparent(valid)).toEqual({
      version: '00',
      traceId: '4bf92f3577b34da6a3ce929d0e0e4736',
      parentId: '00f067aa0ba902b7',
      sampled: true,
    });
    expect(parseTraceparent(valid.replace(/-01$/, '-00'))?.sampled).toBe(false);
    expect(parseTraceparent(`01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-future`)?.version).toBe('01');
  });

  it.each([
    undefined,
    '',
    'garbage',
    '00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01',
    '00-00000000000000000000000000000000-00f067aa0ba902b7-01',
    '00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01',
    'ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
    '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra',
  ])('ignores an invalid one: %j', (value) => {
    expect(parseTraceparent(value)).toBeUndefined();
  });
});

describe('GenAI span attributes', () => {
  it('follow the OpenTelemetry GenAI conventions', () => {
    const attributes = genAiAttributes(
      sampleRecord({ sessionId: 'sess-3', cacheReadTokens: 4, reasoningTokens: 2, agentId: 'agent-7' }),
    );
    expect(attributes).toEqual({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'gpt-4o-mini',
      'gen_ai.response.model': 'gpt-4o-mini-2024-07-18',
      'gen_ai.response.finish_reasons': ['stop'],
      'gen_ai.usage.input_tokens': 12,
      'gen_ai.usage.output_tokens': 7,
      'gen_ai.usage.cache_read.input_tokens': 4,
      'gen_ai.usage.reasoning.output_tokens': 2,
      'gen_ai.conversation.id': 'sess-3',
      'gen_ai.agent.id': 'agent-7',
      'http.response.status_code': 200,
    });
    expect(genAiAttributes(sampleRecord({ provider: 'bedrock' }))['gen_ai.provider.name']).toBe('aws.bedrock');
    expect(genAiAttributes(sampleRecord({ provider: 'gemini', operation: 'generateContent' }))).toMatchObject({
      'gen_ai.provider.name': 'gcp.gemini',
      'gen_ai.operation.name': 'generate_content',
    });
  });
});

describe('traceUpstreamCall', () => {
  const startedAt = Date.parse('2025-03-10T14:25:00.100Z');

  function tracedSegment() {
    const segment = new xray.Segment('sluice-openai');
    return { segment, source: { isTracingEnabled: () => true, getSegment: () => segment as unknown as TraceSpan } };
  }

  it('adds a closed subsegment for the upstream call, with annotations and metadata', () => {
    const { segment, source } = tracedSegment();
    traceUpstreamCall(source, sampleRecord({ sessionId: 'sess-3', traceId: '4bf92f3577b34da6a3ce929d0e0e4736' }), { startedAt });
    const [span] = segment.subsegments ?? [];
    const json = span!.toJSON() as Record<string, unknown> & {
      annotations: Record<string, unknown>;
      metadata: Record<string, Record<string, unknown>>;
    };
    expect(json.name).toBe('chat gpt-4o-mini');
    expect(json.namespace).toBe('remote');
    expect(json.start_time).toBe(startedAt / 1000);
    expect(json.end_time).toBeGreaterThan(startedAt / 1000);
    expect(json.in_progress).toBeUndefined();
    expect(json.annotations).toEqual({
      gen_ai_operation_name: 'chat',
      gen_ai_provider_name: 'openai',
      gen_ai_request_model: 'gpt-4o-mini',
      gen_ai_response_model: 'gpt-4o-mini-2024-07-18',
      gen_ai_conversation_id: 'sess-3',
      gen_ai_usage_input_tokens: 12,
      gen_ai_usage_output_tokens: 7,
      sluice_profile_id: 'default',
      sluice_interaction_id: 'i-1',
      w3c_trace_id: '4bf92f3577b34da6a3ce929d0e0e4736',
    });
    expect(json.metadata.gen_ai).toMatchObject({ 'gen_ai.request.model': 'gpt-4o-mini', 'gen_ai.usage.input_tokens': 12 });
    expect(json.metadata.sluice).toEqual({ cost_usd: 0.000006 });
    expect(json.fault).toBeUndefined();
    expect(json.error).toBeUndefined();
  });

  it('flags upstream failures as X-Ray errors, faults and throttles', () => {
    const flagsOf = (status: number) => {
      const { segment, source } = tracedSegment();
      traceUpstreamCall(source, sampleRecord({ status, outcome: 'upstream_error', error: { kind: 'upstream', message: 'x' } }), { startedAt });
      const json = segment.subsegments![0]!.toJSON() as Record<string, unknown>;
      return { error: json.error, fault: json.fault, throttle: json.throttle };
    };
    expect(flagsOf(400)).toEqual({ error: true, fault: undefined, throttle: undefined });
    expect(flagsOf(429)).toEqual({ error: true, fault: undefined, throttle: true });
    expect(flagsOf(503)).toEqual({ error: undefined, fault: true, throttle: undefined });
  });

  it('does nothing when tracing is off or the call never went upstream', () => {
    const { segment, source } = tracedSegment();
    traceUpstreamCall(source, sampleRecord(), undefined);
    traceUpstreamCall({ ...source, isTracingEnabled: () => false }, sampleRecord(), { startedAt });
    expect(segment.subsegments).toBeUndefined();
  });

  it('Powertools’ Tracer is off outside Lambda', async () => {
    expect((await loadTracer()).isTracingEnabled()).toBe(false);
  });
});
