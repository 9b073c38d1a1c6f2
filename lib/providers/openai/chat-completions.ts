import * as z from 'zod';
import { validateFields, parseJsonObject, type JsonObject } from '../shared/json-body.ts';
import type { ResponseSummary, StreamObserver } from '../types.ts';
import { SseTap } from '../../streaming/sse-events.ts';
import { tokenUsageFromOpenAi } from './usage.ts';
import { tapObserver } from '../../streaming/tap-observer.ts';

export const chatCompletionFields = z.looseObject({
  model: z.string().min(1, 'must be a non-empty string'),
  messages: z.array(z.unknown()),
  stream: z.boolean().nullish(),
  stream_options: z.looseObject({ include_usage: z.boolean().nullish() }).nullish(),
});

export interface PreparedChatBody {
  json: JsonObject;
  model: string;
  stream: boolean;
  /** The bytes to send upstream: the client's own unless usage had to be asked for. */
  body: Buffer;
  /** Sluice added `stream_options.include_usage`: the usage-only chunk is not the client's. */
  usageInjected: boolean;
  /** The body for a `json` that policies have changed, keeping Sluice's usage request. */
  serialize(): Buffer;
}

const INCLUDE_USAGE = Buffer.from('"stream_options":{"include_usage":true},');

/**
 * Reads a Chat Completions body. When a stream is asked for without usage, Sluice asks for usage
 * (so that tokens are always recorded) by adding `stream_options` at the front of the object,
 * leaving every other byte as the client sent it.
 */
export function prepareChatBody(raw: Buffer, parse: (raw: Buffer) => JsonObject = parseJsonObject): PreparedChatBody {
  const json = parse(raw);
  const fields = validateFields(chatCompletionFields, json);
  const stream = fields.stream === true;
  if (!stream || fields.stream_options?.include_usage === true) return asSent(raw, json, fields);
  return injectUsageRequest(raw, json, fields);
}

/** Reads and checks a Chat Completions body that is forwarded exactly as sent. */
export function readChatBody(raw: Buffer, parse: (raw: Buffer) => JsonObject = parseJsonObject): PreparedChatBody {
  const json = parse(raw);
  return asSent(raw, json, validateFields(chatCompletionFields, json));
}

function asSent(raw: Buffer, json: JsonObject, fields: z.output<typeof chatCompletionFields>): PreparedChatBody {
  return {
    json,
    model: fields.model,
    stream: fields.stream === true,
    body: raw,
    usageInjected: false,
    serialize: () => Buffer.from(JSON.stringify(json)),
  };
}

function injectUsageRequest(raw: Buffer, json: JsonObject, fields: z.output<typeof chatCompletionFields>): PreparedChatBody {
  const withUsage = () =>
    Buffer.from(JSON.stringify({ ...json, stream_options: { ...(fields.stream_options ?? {}), include_usage: true } }));
  let body: Buffer;
  if (fields.stream_options == null && !('stream_options' in json)) {
    const brace = raw.indexOf(0x7b);
    body = Buffer.concat([raw.subarray(0, brace + 1), INCLUDE_USAGE, raw.subarray(brace + 1)]);
  } else {
    body = withUsage();
  }
  return { json, model: fields.model, stream: true, body, usageInjected: true, serialize: withUsage };
}

const USAGE_OBJECT = /"usage"\s*:\s*\{/;
/** With include_usage, every chunk carries `"usage":null`; a client that did not ask never sees the key. */
const USAGE_NULL = Buffer.from(',"usage":null');
const FINISH_REASON = /"finish_reason"\s*:\s*"/;

/** A complete (non-streaming) Chat Completions answer. */
export function summarizeChatCompletion(body: Buffer): ResponseSummary {
  try {
    const json = JSON.parse(body.toString('utf8')) as {
      model?: unknown;
      usage?: unknown;
      choices?: Array<{ finish_reason?: unknown }>;
    };
    const summary: ResponseSummary = {};
    if (typeof json.model === 'string') summary.model = json.model;
    const usage = tokenUsageFromOpenAi(json.usage);
    if (usage) summary.usage = usage;
    const finish = json.choices?.[0]?.finish_reason;
    if (typeof finish === 'string') summary.finishReason = finish;
    return summary;
  } catch {
    return {};
  }
}

/**
 * Reads usage, model and finish reason from a Chat Completions stream while it passes. Only chunks
 * that carry usage or a finish reason (and the first) are parsed as JSON. When Sluice injected the
 * usage request, the usage-only chunk is dropped so the client gets exactly what it asked for.
 */
export function observeChatCompletionStream(usageInjected: boolean): StreamObserver {
  const summary: ResponseSummary = {};
  let done = false;
  let sawFirst = false;

  const inspect = (data: string): { choices?: unknown[] } | undefined => {
    if (data === '[DONE]') {
      done = true;
      return undefined;
    }
    const first = !sawFirst;
    sawFirst = true;
    const hasUsage = USAGE_OBJECT.test(data);
    if (!first && !hasUsage && !FINISH_REASON.test(data)) return undefined;
    try {
      const chunk = JSON.parse(data) as {
        model?: unknown;
        usage?: unknown;
        choices?: Array<{ finish_reason?: unknown }>;
      };
      if (typeof chunk.model === 'string') summary.model = chunk.model;
      const usage = hasUsage ? tokenUsageFromOpenAi(chunk.usage) : undefined;
      if (usage) summary.usage = usage;
      for (const choice of chunk.choices ?? []) {
        if (typeof choice?.finish_reason === 'string') summary.finishReason = choice.finish_reason;
      }
      return hasUsage ? chunk : undefined;
    } catch {
      return undefined;
    }
  };

  let lastParsed: { choices?: unknown[] } | undefined;
  const tap = new SseTap({
    onEvent: (event) => {
      lastParsed = inspect(event.data);
    },
    decide: usageInjected
      ? (_event, raw) => {
          const chunk = lastParsed;
          lastParsed = undefined;
          if (chunk && Array.isArray(chunk.choices) && chunk.choices.length === 0) return 'drop';
          const at = raw.indexOf(USAGE_NULL);
          return at < 0 ? 'keep' : [raw.subarray(0, at), raw.subarray(at + USAGE_NULL.length)];
        }
      : undefined,
  });

  return tapObserver(tap, { summary: () => summary, completed: () => done });
}
