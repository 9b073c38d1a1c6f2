import type { Interaction } from '../interactions/interaction.ts';
import { annotatedAttributes, genAiAttributes } from './gen-ai-attributes.ts';

/** The parts of an X-Ray subsegment Sluice uses (aws-xray-sdk-core's Subsegment has them). */
export interface TraceSpan {
  start_time: number;
  namespace?: string;
  addNewSubsegment(name: string): TraceSpan;
  addAnnotation(key: string, value: string | number | boolean): void;
  addMetadata(key: string, value: unknown, namespace?: string): void;
  addErrorFlag(): void;
  addFaultFlag(): void;
  addThrottleFlag(): void;
  close(): void;
}

/** The parts of Powertools' Tracer Sluice uses. */
export interface SpanSource {
  isTracingEnabled(): boolean;
  getSegment(): TraceSpan | undefined;
}

export interface UpstreamTiming {
  /** Epoch milliseconds when the upstream call began. */
  startedAt: number;
}

const NAME_UNSAFE = /[^\p{L}\p{N}\s_.:/%&#=+\\\-@]/gu;

/** `chat gpt-4o`: the conventions' span name, in the characters X-Ray allows in a name. */
function spanName(attributes: Record<string, unknown>): string {
  const name = [attributes['gen_ai.operation.name'], attributes['gen_ai.request.model']].filter(Boolean).join(' ');
  return name.replace(NAME_UNSAFE, '_').slice(0, 200) || 'upstream';
}

/**
 * An X-Ray subsegment for the upstream call of a request, written once the response has ended:
 * it starts when the call began, carries the OpenTelemetry GenAI attributes (all as metadata under
 * the `gen_ai` namespace, the searchable ones also as annotations), and closes now. Nothing
 * happens when tracing is off (locally, or outside Lambda) or when the call never went upstream.
 */
export function traceUpstreamCall(source: SpanSource, record: Interaction, timing: UpstreamTiming | undefined): void {
  if (!timing || !source.isTracingEnabled()) return;
  const parent = source.getSegment();
  if (!parent) return;
  const attributes = genAiAttributes(record);
  const span = parent.addNewSubsegment(spanName(attributes));
  span.start_time = timing.startedAt / 1000;
  span.namespace = 'remote';
  for (const [key, value] of Object.entries(annotatedAttributes(attributes))) span.addAnnotation(key, value);
  span.addAnnotation('sluice_profile_id', record.profileId);
  span.addAnnotation('sluice_interaction_id', record.id);
  if (record.traceId) span.addAnnotation('w3c_trace_id', record.traceId);
  for (const [key, value] of Object.entries(attributes)) span.addMetadata(key, value, 'gen_ai');
  if (record.costUsd !== undefined) span.addMetadata('cost_usd', record.costUsd, 'sluice');
  if (record.status === 429) span.addThrottleFlag();
  if (record.status >= 500) span.addFaultFlag();
  else if (record.status >= 400 || record.outcome === 'error' || record.outcome === 'upstream_error') span.addErrorFlag();
  span.close();
}
