import * as z from 'zod';
import { observeNamedSse, type StreamState } from '../../streaming/named-sse.ts';
import type { ResponseSummary, StreamObserver } from '../types.ts';
import { tokenUsageFromCohere } from './usage.ts';

export const chatV2Fields = z.looseObject({
  model: z.string().min(1, 'must be a non-empty string'),
  messages: z.array(z.unknown()),
  stream: z.boolean().nullish(),
});

/** A complete v2 chat answer: `finish_reason` and `usage` (the response names no model). */
export function summarizeChatV2(body: Buffer): ResponseSummary {
  try {
    const json = JSON.parse(body.toString('utf8')) as { usage?: unknown; finish_reason?: unknown };
    const summary: ResponseSummary = {};
    const usage = tokenUsageFromCohere(json.usage);
    if (usage) summary.usage = usage;
    if (typeof json.finish_reason === 'string') summary.finishReason = json.finish_reason;
    return summary;
  } catch {
    return {};
  }
}

/**
 * Reads a v2 chat stream (SSE: `message-start`, `content-*`, `tool-plan-delta`, `tool-call-*`,
 * `citation-*`, `message-end`) as it passes. Only `message-end` is parsed: it carries the finish
 * reason, the usage, and the error of a failed generation.
 */
export function observeChatV2Stream(): StreamObserver {
  const state: StreamState = { summary: {}, completed: false };
  return observeNamedSse(state, {
    'message-end': (data) => {
      state.completed = true;
      const delta = data.delta as { finish_reason?: unknown; usage?: unknown; error?: unknown } | undefined;
      const usage = tokenUsageFromCohere(delta?.usage);
      if (usage) state.summary.usage = usage;
      if (typeof delta?.finish_reason === 'string') state.summary.finishReason = delta.finish_reason;
      if (delta?.finish_reason === 'ERROR') {
        state.failure = typeof delta.error === 'string' && delta.error !== '' ? delta.error : 'The generation failed (ERROR).';
      }
    },
  });
}
