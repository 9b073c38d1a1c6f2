import type { Interaction } from '../interactions/interaction.ts';
import type { Logger } from './logger.ts';
import { guardedMetricsPublisher } from './request-metrics.ts';
import { traceUpstreamCall, type SpanSource } from './upstream-trace.ts';

/**
 * Powertools' Tracer (X-Ray). It traces only inside Lambda with active tracing (and not when
 * POWERTOOLS_TRACE_ENABLED=false); elsewhere, the local server included, every call is a no-op.
 * Outgoing HTTP is not captured globally: the upstream call gets its own GenAI subsegment, and
 * the provider receives no X-Ray header it did not ask for.
 */
export function loadTracer(): Promise<SpanSource> {
  // Imported lazily (with aws-xray-sdk-core, ~120 kB) and shipped beside the bundle: the tracer is
  // only needed once a response has ended, so a cold start does not parse it first.
  return import('@aws-lambda-powertools/tracer').then(
    ({ Tracer }) => new Tracer({ serviceName: 'sluice', captureHTTPsRequests: false }),
  );
}

/** Tracing that is off or could not start: nothing is traced, requests are unaffected. */
const noTracing: SpanSource = { isTracingEnabled: () => false, getSegment: () => undefined };

/**
 * Where traces go: Powertools' Tracer only when the process can trace (config.observability.tracing).
 * Elsewhere the Tracer is not loaded at all: importing it loads the X-Ray SDK, whose context
 * tracking (cls-hooked) installs an async hook that runs on every promise of the process.
 */
export function spanSource(tracing: boolean): SpanSource | Promise<SpanSource> {
  return tracing ? loadTracer() : noTracing;
}

/** Metrics and trace of a request, published once its response has ended. */
export class RequestTelemetry {
  private readonly publishMetrics: ((record: Interaction) => void) | undefined;
  private readonly tracer: Promise<SpanSource>;
  private readonly logger: Logger;

  constructor(options: { metricsEnabled: boolean; tracer: SpanSource | Promise<SpanSource>; logger: Logger }) {
    this.publishMetrics = options.metricsEnabled ? guardedMetricsPublisher(options.logger) : undefined;
    this.logger = options.logger;
    this.tracer = Promise.resolve(options.tracer).catch((error: unknown) => {
      this.logger.warn('tracing is off: the tracer could not be loaded', { error: error instanceof Error ? error.message : String(error) });
      return noTracing;
    });
  }

  /** Never throws: telemetry must not break a response that has already been sent. */
  async requestEnded(record: Interaction, upstreamStartedAt: number | undefined): Promise<void> {
    this.publishMetrics?.(record);
    try {
      const timing = upstreamStartedAt === undefined ? undefined : { startedAt: performance.timeOrigin + upstreamStartedAt };
      if (timing) traceUpstreamCall(await this.tracer, record, timing);
    } catch (error) {
      this.logger.warn('request trace failed', {
        requestId: record.requestId,
        interactionId: record.id,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }
}
