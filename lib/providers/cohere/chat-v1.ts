import * as z from 'zod';
import { parseJsonRecord, type StreamState } from '../../streaming/named-sse.ts';
import { observeNdjson } from '../../streaming/ndjson-lines.ts';
import type { ResponseSummary, StreamObserver } from '../types.ts';
import { tokenUsageFromCohere } from './usage.ts';

export const chatV1Fields = z.looseObject({
  message: z.string(),
  model: z.string().min(1, 'must be a non-empty string').nullish(),
  stream: z.boolean().nullish(),
});

interface ChatV1Response {
  meta?: unknown;
  finish_reason?: unknown;
}

function summaryOf(response: ChatV1Response, finishReason: unknown): ResponseSummary {
  const summary: ResponseSummary = {};
  const usage = tokenUsageFromCohere(response.meta);
  if (usage) summary.usage = usage;
  if (typeof finishReason === 'string') summary.finishReason = finishReason;
  return summary;
}

/** A complete v1 chat answer: usage from `meta`. */
export function summarizeChatV1(body: Buffer): ResponseSummary {
  const json = parseJsonRecord(body.toString('utf8')) as ChatV1Response | undefined;
  return json ? summaryOf(json, json.finish_reason) : {};
}

const STREAM_END = /"event_type"\s*:\s*"stream-end"/;

/**
 * Reads a v1 chat stream: newline-delimited JSON events (`stream-start`, `text-generation`,
 * `tool-calls-*`, …, `stream-end`), not SSE. Only the `stream-end` line is parsed: its
 * `response.meta` carries the usage.
 */
export function observeChatV1Stream(): StreamObserver {
  const state: StreamState = { summary: {}, completed: false };
  return observeNdjson(state, (line) => {
    if (!STREAM_END.test(line)) return;
    const event = parseJsonRecord(line) as
      | { event_type?: unknown; finish_reason?: unknown; response?: ChatV1Response; error?: unknown }
      | undefined;
    if (event?.event_type !== 'stream-end') return;
    state.completed = true;
    state.summary = summaryOf(event.response ?? {}, event.finish_reason);
    if (event.finish_reason === 'ERROR') {
      state.failure = typeof event.error === 'string' && event.error !== '' ? event.error : 'The generation failed (ERROR).';
    }
  });
}
