import type { EventSourceMessage } from 'eventsource-parser';
import type { ResponseSummary, StreamObserver } from '../providers/types.ts';
import { SseTap } from './sse-events.ts';
import { tapObserver, type StreamTap } from './tap-observer.ts';

export type JsonRecord = Record<string, unknown>;

/** Handlers by event name. Only the events named here have their data parsed as JSON. */
export type NamedEventHandlers = Readonly<Record<string, (data: JsonRecord) => void>>;

/** What a provider's stream observer has learnt so far. */
export interface StreamState {
  summary: ResponseSummary;
  /** The stream carried the provider's own end marker. */
  completed: boolean;
  /** The upstream reported an error inside the stream. */
  failure?: string;
}

export function parseJsonRecord(text: string): JsonRecord | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as JsonRecord) : undefined;
  } catch {
    return undefined;
  }
}

function dispatch(event: EventSourceMessage, on: NamedEventHandlers): void {
  if (event.event) {
    const handler = on[event.event];
    if (!handler) return;
    const data = parseJsonRecord(event.data);
    if (data) handler(data);
    return;
  }
  // An event without an `event:` line (some relays drop them): its name is the data's `type`.
  const data = parseJsonRecord(event.data);
  const type = data?.type;
  if (data && typeof type === 'string') on[type]?.(data);
}

/**
 * Observes a server-sent-event stream whose events are named (`event: message_start`, …), as
 * Anthropic and Cohere v2 send them. Every chunk is forwarded unchanged the moment it arrives;
 * only the events a handler asks for are parsed, so the bulk of a stream (text deltas) costs one
 * SSE parse and no JSON parse.
 */
export function observeNamedSse(state: StreamState, on: NamedEventHandlers): StreamObserver {
  const tap = new SseTap({ onEvent: (event) => dispatch(event, on) });
  return stateObserver(tap, state);
}

/** The observer of a tap whose events fill a StreamState. */
export function stateObserver(tap: StreamTap, state: StreamState): StreamObserver {
  return tapObserver(tap, { summary: () => state.summary, completed: () => state.completed, failure: () => state.failure });
}
