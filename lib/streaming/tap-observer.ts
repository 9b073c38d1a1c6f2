import type { ResponseSummary, StreamObserver } from '../providers/types.ts';

/** A reader of a stream's framing (SSE, NDJSON) that forwards each chunk as it came, or held back by whole events. */
export interface StreamTap {
  push(chunk: Buffer): Buffer | undefined;
  end(): Buffer | undefined;
  readonly atBoundary: boolean;
}

/** What the provider-specific part of an observer reports. */
export interface StreamFindings {
  summary(): ResponseSummary;
  /** The stream carried the provider's own end marker. */
  completed(): boolean;
  /** The error the upstream reported inside the stream, if any. */
  failure?(): string | undefined;
}

/** A StreamObserver made of a framing tap and what the provider's reader found in it. */
export function tapObserver(tap: StreamTap, findings: StreamFindings): StreamObserver {
  return {
    push: (chunk) => tap.push(chunk),
    end: () => tap.end(),
    summary: findings.summary,
    completed: findings.completed,
    atEventBoundary: () => tap.atBoundary,
    upstreamFailure: findings.failure,
  };
}
