import * as z from 'zod';
import { SseTap } from '../../streaming/sse-events.ts';
import { parseJsonObject, validateFields, type JsonObject } from '../shared/json-body.ts';
import type { ResponseSummary, StreamObserver } from '../types.ts';
import { tokenUsageFromOpenAi } from './usage.ts';
import { tapObserver } from '../../streaming/tap-observer.ts';

/** The fields of a Responses API request that Sluice reads; the rest passes through. */
export const responsesFields = z.looseObject({
  // Optional: a request may take its model from a stored prompt.
  model: z.string().min(1, 'must be a non-empty string').optional(),
  input: z.union([z.string(), z.array(z.unknown())], { error: 'must be a string or an array of input items' }).optional(),
  stream: z.boolean().nullish(),
});

export interface PreparedResponsesBody {
  json: JsonObject;
  model: string | undefined;
  stream: boolean;
  body: Buffer;
}

/** Reads and checks a Responses API body; it is forwarded exactly as sent (usage always comes back). */
export function prepareResponsesBody(raw: Buffer): PreparedResponsesBody {
  const json = parseJsonObject(raw);
  const fields = validateFields(responsesFields, json);
  return { json, model: fields.model, stream: fields.stream === true, body: raw };
}

interface ResponseObject {
  model?: unknown;
  status?: unknown;
  usage?: unknown;
  incomplete_details?: { reason?: unknown } | null;
}

function readResponse(response: ResponseObject | undefined, summary: ResponseSummary): void {
  if (!response || typeof response !== 'object') return;
  if (typeof response.model === 'string') summary.model = response.model;
  const usage = tokenUsageFromOpenAi(response.usage);
  if (usage) summary.usage = usage;
  const reason = response.incomplete_details?.reason;
  if (typeof reason === 'string') summary.finishReason = reason;
  else if (typeof response.status === 'string') summary.finishReason = response.status;
}

/** A complete (non-streaming) Responses API answer: a `response` object. */
export function summarizeResponse(body: Buffer): ResponseSummary {
  const summary: ResponseSummary = {};
  try {
    readResponse(JSON.parse(body.toString('utf8')) as ResponseObject, summary);
  } catch {
    // not JSON: nothing to learn
  }
  return summary;
}

/** The events that end a Responses stream (there is no `[DONE]`). */
const TERMINAL_EVENTS = new Set(['response.completed', 'response.incomplete', 'response.failed', 'error']);
/** The events Sluice reads: the first (model) and the terminal ones (usage, status). */
const READ_EVENTS = new Set([...TERMINAL_EVENTS, 'response.created']);
/** In a stream without `event:` lines, a data payload that may be one of READ_EVENTS. */
const MAYBE_READ_EVENT = /"type"\s*:\s*"(?:response\.(?:created|completed|incomplete|failed)|error)"/;

/**
 * Reads a Responses API stream as it passes, unchanged: model from `response.created`, usage and
 * status from `response.completed` (or `.incomplete` / `.failed`). Only those events are parsed;
 * the many delta events are looked at by name only.
 */
export function observeResponseStream(): StreamObserver {
  const summary: ResponseSummary = {};
  let done = false;

  const onEvent = (name: string | undefined, data: string) => {
    if (name !== undefined && !READ_EVENTS.has(name)) return;
    if (name === undefined && !MAYBE_READ_EVENT.test(data)) return;
    let event: { type?: unknown; response?: ResponseObject };
    try {
      event = JSON.parse(data) as typeof event;
    } catch {
      return;
    }
    const type = name ?? (typeof event.type === 'string' ? event.type : '');
    if (!READ_EVENTS.has(type)) return;
    if (type === 'error') summary.finishReason = 'error';
    else readResponse(event.response, summary);
    if (TERMINAL_EVENTS.has(type)) done = true;
  };

  const tap = new SseTap({ onEvent: (event) => onEvent(event.event, event.data) });
  return tapObserver(tap, { summary: () => summary, completed: () => done });
}
