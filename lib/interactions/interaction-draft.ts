import { randomUUID } from 'node:crypto';
import type { SluiceError } from '../errors/sluice-error.ts';
import type { SluiceRequest } from '../http/request.ts';
import { parseTraceparent } from '../observability/trace-context.ts';
import { DEFAULT_PROFILE_ID } from '../profiles/profile.ts';
import type { ResponseSummary } from '../providers/types.ts';
import { readAttribution } from './attribution.ts';
import type { Interaction, InteractionOutcome, RoutingReport } from './interaction.ts';
import type { PolicyDecisions } from '../security/decisions.ts';
import { ResponseSample } from './response-sample.ts';
import { recordedUsage } from './recorded-usage.ts';
import { fitRecord } from './record-size.ts';

const MAX_ERROR_MESSAGE = 500;

/** Collects what happens to one request, then becomes its interaction record. */
export class InteractionDraft {
  readonly id = randomUUID();
  readonly createdAt = new Date();
  private readonly request: SluiceRequest;
  profileId = DEFAULT_PROFILE_ID;
  provider = 'unknown';
  operation = 'unknown';
  model: string | undefined;
  stream = false;
  summary: ResponseSummary = {};
  outcome: InteractionOutcome = 'success';
  error: Interaction['error'];
  /** Filled by the security policies. */
  policy: PolicyDecisions | undefined;
  /** performance.now() when the upstream call began. */
  upstreamStartedAt: number | undefined;
  /** The start of the upstream's answer, kept to estimate tokens if it reports no usage. */
  private response: ResponseSample | undefined;
  credential: Interaction['credential'];
  /** Set by the model router: the provider and model that served, and the attempts. */
  routing: RoutingReport | undefined;

  constructor(request: SluiceRequest) {
    this.request = request;
  }

  fail(error: SluiceError, outcome: InteractionOutcome = 'error'): void {
    this.outcome = outcome;
    this.error = { kind: error.kind, message: error.message.slice(0, MAX_ERROR_MESSAGE) };
  }

  upstreamFailed(message: string): void {
    this.outcome = 'upstream_error';
    this.error = { kind: 'upstream', message: message.slice(0, MAX_ERROR_MESSAGE) };
  }

  blocked(): void {
    if (this.outcome === 'success') this.outcome = 'blocked';
  }

  cancel(): void {
    this.outcome = 'cancelled';
    this.error = { kind: 'cancelled', message: 'The client disconnected before the response ended.' };
  }

  upstreamStarted(now: number = performance.now()): void {
    this.upstreamStartedAt = now;
  }

  /** A chunk of a successful upstream answer, as it passes (only its start is kept). */
  keepResponse(chunk: Buffer): void {
    (this.response ??= new ResponseSample()).add(chunk);
  }

  finish(
    response: { status: number; bytes: number; firstByteAt: number | undefined },
    ttlDays: number,
    now: number = performance.now(),
  ): Interaction {
    const createdAt = this.createdAt.toISOString();
    const received = this.request.receivedAt;
    const usage = recordedUsage({
      provider: this.provider,
      models: [this.summary.model, this.model],
      reported: this.summary.usage,
      requestBody: this.request.body,
      response: this.response,
      incomplete: this.stream && (this.outcome === 'cancelled' || this.outcome === 'error' || this.outcome === 'upstream_error'),
      at: this.createdAt,
    });
    return fitRecord({
      profileId: this.profileId,
      sk: `${createdAt}#${this.id}`,
      id: this.id,
      requestId: this.request.requestId,
      createdAt,
      provider: this.routing?.provider ?? this.provider,
      operation: this.operation,
      method: this.request.method,
      path: this.request.path,
      model: this.routing?.model ?? this.model,
      responseModel: this.summary.model,
      stream: this.stream,
      status: response.status,
      outcome: this.outcome,
      finishReason: this.summary.finishReason,
      latencyMs: round(now - received),
      timeToFirstByteMs: response.firstByteAt === undefined ? undefined : round(response.firstByteAt - received),
      requestBytes: this.request.body.byteLength,
      responseBytes: response.bytes,
      ...usage,
      ...readAttribution(this.request.headers),
      traceId: parseTraceparent(this.request.headers.traceparent)?.traceId,
      error: this.error,
      policy: this.policy,
      credential: this.credential,
      attempts: this.routing?.attempts.length ? this.routing.attempts : undefined,
      expiresAt: Math.floor(this.createdAt.getTime() / 1000) + ttlDays * 86_400,
    });
  }
}

const round = (ms: number) => Math.round(ms * 100) / 100;
