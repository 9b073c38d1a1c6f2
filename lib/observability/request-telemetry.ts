import { Tracer } from '@aws-lambda-powertools/tracer';
import type { Interaction } from '../interactions/interaction.ts';
import type { Logger } from './logger.ts';
import { publishRequestMetrics } from './request-metrics.ts';
import { traceUpstreamCall, type SpanSource } from './upstream-trace.ts';

/**
 * Powertools' Tracer (X-Ray). It traces only inside Lambda with active tracing (and not when
 * POWERTOOLS_TRACE_ENABLED=false); elsewhere, the local server included, every call is a no-op.
 * Outgoing HTTP is not captured globally: the upstream call gets its own GenAI subsegment, and
 * the provider receives no X-Ray header it did not ask for.
 */
export function createTracer(): Tracer {
  return new Tracer({ serviceName: 'sluice', captureHTTPsRequests: false });
}

/** Metrics and trace of a request, published once its response has ended. */
export class RequestTelemetry {
  private readonly metricsEnabled: boolean;
  private readonly tracer: SpanSource;
  private readonly logger: Logger;

  constructor(options: { metricsEnabled: boolean; tracer: SpanSource; logger: Logger }) {
    this.metricsEnabled = options.metricsEnabled;
    this.tracer = options.tracer;
    this.logger = options.logger;
  }

  /** Never throws: telemetry must not break a response that has already been sent. */
  requestEnded(record: Interaction, upstreamStartedAt: number | undefined): void {
    try {
      if (this.metricsEnabled) publishRequestMetrics(record);
      const timing = upstreamStartedAt === undefined ? undefined : { startedAt: performance.timeOrigin + upstreamStartedAt };
      traceUpstreamCall(this.tracer, record, timing);
    } catch (error) {
      this.logger.warn('request telemetry failed', {
        requestId: record.requestId,
        interactionId: record.id,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }
}
