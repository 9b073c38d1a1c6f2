import * as z from 'zod';
import type { SluiceRequest } from '../../http/request.ts';
import { observeNamedSse, type JsonRecord, type StreamState } from '../../streaming/named-sse.ts';
import { forwardableHeaders } from '../shared/headers.ts';
import { parseJsonObject, validateFields } from '../shared/json-body.ts';
import { exactPath, type Endpoint, type PrepareInput, type ResponseSummary, type StreamObserver } from '../types.ts';
import { messagesResponseToolDialect } from './tool-answer.ts';
import { messagesCarryTools, messagesRequestToolView } from './tool-view.ts';
import { asAnthropicUsage, mergeAnthropicUsage, tokenUsageFromAnthropic, type AnthropicUsage } from './usage.ts';

export const messagesFields = z.looseObject({
  model: z.string().min(1, 'must be a non-empty string'),
  messages: z.array(z.unknown()),
  stream: z.boolean().nullish(),
});

/** The credential headers for the upstream call (an API key, or a Microsoft Entra token on Foundry). */
export type UpstreamAuth = (input: PrepareInput) => Promise<Record<string, string>>;

/** A complete (non-streaming) Messages answer. */
export function summarizeMessage(body: Buffer): ResponseSummary {
  try {
    const json = JSON.parse(body.toString('utf8')) as { model?: unknown; usage?: unknown; stop_reason?: unknown };
    const summary: ResponseSummary = {};
    if (typeof json.model === 'string') summary.model = json.model;
    const usage = tokenUsageFromAnthropic(asAnthropicUsage(json.usage));
    if (usage) summary.usage = usage;
    if (typeof json.stop_reason === 'string') summary.finishReason = json.stop_reason;
    return summary;
  } catch {
    return {};
  }
}

function errorText(data: JsonRecord): string {
  const error = data.error as { type?: unknown; message?: unknown } | undefined;
  const type = typeof error?.type === 'string' ? error.type : 'error';
  return typeof error?.message === 'string' ? `${type}: ${error.message}` : type;
}

/**
 * Reads a Messages stream as it passes: the model and prompt usage from `message_start`, the
 * output usage and stop reason from `message_delta`, the end from `message_stop`, and an `error`
 * event. Content deltas are forwarded without being parsed.
 */
export function observeMessageStream(): StreamObserver {
  const state: StreamState = { summary: {}, completed: false };
  let usage: AnthropicUsage | undefined;
  const updateUsage = (raw: unknown) => {
    const update = asAnthropicUsage(raw);
    if (!update) return;
    usage = mergeAnthropicUsage(usage, update);
    state.summary.usage = tokenUsageFromAnthropic(usage);
  };
  return observeNamedSse(state, {
    message_start: (data) => {
      const message = data.message as { model?: unknown; usage?: unknown } | undefined;
      if (typeof message?.model === 'string') state.summary.model = message.model;
      updateUsage(message?.usage);
    },
    message_delta: (data) => {
      const stop = (data.delta as { stop_reason?: unknown } | undefined)?.stop_reason;
      if (typeof stop === 'string') state.summary.finishReason = stop;
      updateUsage(data.usage);
    },
    message_stop: () => {
      state.completed = true;
    },
    error: (data) => {
      state.failure = errorText(data);
    },
  });
}

function queryString(request: SluiceRequest): string {
  const query = request.query.toString();
  return query === '' ? '' : `?${query}`;
}

/** `POST …/v1/messages`: the client's body and query forwarded as sent, usage always read. */
export function messagesEndpoint(upstreamAuth: UpstreamAuth): Endpoint {
  return {
    operation: 'messages',
    method: 'POST',
    match: exactPath('/v1/messages'),
    async prepare(input) {
      const { request, baseUrl } = input;
      const json = parseJsonObject(request.body);
      const fields = validateFields(messagesFields, json);
      return {
        url: `${baseUrl}/v1/messages${queryString(request)}`,
        method: 'POST',
        headers: {
          ...forwardableHeaders(request),
          'content-type': 'application/json',
          ...(await upstreamAuth(input)),
        },
        body: request.body,
        model: fields.model,
        stream: fields.stream === true,
        summarize: summarizeMessage,
        observe: observeMessageStream,
        tools: messagesCarryTools(json)
          ? {
              request: messagesRequestToolView(json, () => Buffer.from(JSON.stringify(json))),
              response: messagesResponseToolDialect,
            }
          : undefined,
      };
    },
  };
}
