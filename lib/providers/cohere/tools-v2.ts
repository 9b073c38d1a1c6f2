import type { EventSourceMessage } from 'eventsource-parser';
import { parseJsonRecord, type JsonRecord } from '../../streaming/named-sse.ts';
import { SseTap } from '../../streaming/sse-events.ts';
import {
  parseMaybeJson,
  type BlockedCall,
  type DeclaredTool,
  type RequestToolView,
  type ResponseToolDialect,
  type StreamGuard,
  type ToolCallJudge,
  type ToolCallView,
  type ToolResultView,
} from '../../security/tool-view.ts';
import type { JsonObject } from '../shared/json-body.ts';

type ToolCallJson = { id?: unknown; type?: unknown; function?: { name?: unknown; arguments?: unknown } };
type MessageJson = { role?: unknown; content?: unknown; tool_call_id?: unknown; tool_calls?: unknown; tool_plan?: unknown };

const isRecord = (value: unknown): value is JsonRecord => value !== null && typeof value === 'object' && !Array.isArray(value);

/** One tool content block as policies see it: a document's data, a text parsed as JSON when it is JSON. */
function toolContentValue(part: unknown): unknown {
  if (!isRecord(part)) return part;
  if (part.type === 'document' && isRecord(part.document)) return part.document.data;
  if (typeof part.text === 'string') return parseMaybeJson(part.text);
  return part;
}

/** A tool message's content: a string, or blocks (one block is seen as itself, several as a list). */
function toolMessageContent(content: unknown): unknown {
  if (typeof content === 'string') return parseMaybeJson(content);
  if (!Array.isArray(content)) return content ?? '';
  const values = content.map(toolContentValue);
  return values.length === 1 ? values[0] : values;
}

/**
 * Tools and tool results of a v2 chat request: `tools[]` of type function; a `role: tool` message
 * is tied by `tool_call_id` to the `tool_calls[].id` of an earlier assistant message. Replacing a
 * result sets the tool message's content to the notice.
 */
export function chatV2RequestToolView(json: JsonObject, serialize: () => Buffer): RequestToolView {
  const declaredTools: DeclaredTool[] = [];
  for (const tool of Array.isArray(json.tools) ? (json.tools as unknown[]) : []) {
    const fn = isRecord(tool) ? tool.function : undefined;
    if (isRecord(tool) && tool.type === 'function' && isRecord(fn) && typeof fn.name === 'string') {
      declaredTools.push({
        name: fn.name,
        description: typeof fn.description === 'string' ? fn.description : undefined,
        parameters: fn.parameters,
      });
    }
  }
  const callNames = new Map<string, string>();
  const toolResults: ToolResultView[] = [];
  for (const message of Array.isArray(json.messages) ? (json.messages as MessageJson[]) : []) {
    if (!isRecord(message)) continue;
    if (message.role === 'assistant' && Array.isArray(message.tool_calls)) {
      for (const call of message.tool_calls as ToolCallJson[]) {
        if (isRecord(call) && typeof call.id === 'string' && typeof call.function?.name === 'string') callNames.set(call.id, call.function.name);
      }
    }
    if (message.role === 'tool' && typeof message.tool_call_id === 'string') {
      toolResults.push({
        callId: message.tool_call_id,
        toolName: callNames.get(message.tool_call_id),
        content: toolMessageContent(message.content),
        replace: (text) => {
          message.content = text;
        },
      });
    }
  }
  return { declaredTools, toolResults, rebuildBody: serialize };
}

export function chatV2CarriesTools(json: JsonObject): boolean {
  if (Array.isArray(json.tools) && json.tools.length > 0) return true;
  return Array.isArray(json.messages) && json.messages.some((m: MessageJson) => isRecord(m) && m.role === 'tool');
}

interface ChatV2Json {
  message?: MessageJson;
  finish_reason?: unknown;
}

function callsOf(toolCalls: unknown): ToolCallView[] {
  const calls = Array.isArray(toolCalls) ? (toolCalls as unknown[]).filter(isRecord) : [];
  return (calls as ToolCallJson[]).map((call) => ({
    id: typeof call.id === 'string' ? call.id : '',
    name: typeof call.function?.name === 'string' ? call.function.name : '',
    arguments: parseMaybeJson(typeof call.function?.arguments === 'string' ? call.function.arguments : ''),
  }));
}

function sse(data: JsonRecord & { type: string }): string {
  return `event: ${data.type}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** An SSE comment: the cohere-ai stream reader (and any SSE parser) skips lines without `data:`. */
const KEEP_ALIVE = Buffer.from(': keep-alive\n\n');

interface HeldCall {
  id: string;
  name: string;
  args: string;
}

/**
 * v2 chat streams. Text, citations and the tool plan stream through at once. From the first
 * `tool-call-start` of a tool some policy could block, everything is held until `message-end`, and
 * every held call is judged. Allowed: the held events go out unchanged. Blocked: the held
 * `tool-call-*` events are dropped, the refusal is added as a text content block, and the finish
 * reason TOOL_CALL becomes COMPLETE (unless an earlier call went out already).
 */
function guardChatV2Stream(
  judge: ToolCallJudge,
  onBlocked: (blocked: BlockedCall[]) => void,
  refusal: (blocked: BlockedCall[]) => string,
): StreamGuard {
  let holding = false;
  let held: Array<{ raw: Buffer; type: string; data: JsonRecord | undefined }> = [];
  let calls = new Map<number, HeldCall>();
  const released = new Set<number>();
  let contentBlocks = 0;

  const settle = (finish: JsonRecord | undefined, raw: Buffer | undefined): Buffer | undefined => {
    const blocked = [...calls.values()]
      .map((call) => {
        const view = { id: call.id, name: call.name, arguments: parseMaybeJson(call.args) };
        return { call: view, verdict: judge.judge(view) };
      })
      .filter((entry) => !entry.verdict.allowed);
    let out: Buffer | undefined;
    if (blocked.length === 0) {
      const parts = held.map((event) => event.raw);
      if (raw) parts.push(raw);
      out = parts.length > 0 ? Buffer.concat(parts) : undefined;
    } else {
      onBlocked(blocked);
      const events: string[] = [];
      for (const event of held) {
        if (event.type.startsWith('tool-call-') && calls.has(event.data?.index as number)) continue;
        events.push(event.raw.toString('utf8'));
      }
      const index = contentBlocks;
      events.push(sse({ type: 'content-start', index, delta: { message: { content: { type: 'text', text: '' } } } }));
      events.push(sse({ type: 'content-delta', index, delta: { message: { content: { text: refusal(blocked) } } } }));
      events.push(sse({ type: 'content-end', index }));
      if (finish) {
        const delta = isRecord(finish.delta) ? finish.delta : {};
        const reason = delta.finish_reason === 'TOOL_CALL' && released.size === 0 ? 'COMPLETE' : delta.finish_reason;
        events.push(sse({ ...finish, type: 'message-end', delta: { ...delta, finish_reason: reason } }));
      }
      out = Buffer.from(events.join(''));
    }
    holding = false;
    held = [];
    calls = new Map();
    return out;
  };

  const WATCHED = new Set(['tool-call-start', 'content-start', 'message-end']);
  let parsed: JsonRecord | undefined;
  const tap = new SseTap({
    onEvent: (event) => {
      parsed = holding || event.event === undefined || WATCHED.has(event.event) ? parseJsonRecord(event.data) : undefined;
    },
    decide: (event: EventSourceMessage, raw) => {
      const data = parsed;
      parsed = undefined;
      const type = event.event ?? (typeof data?.type === 'string' ? data.type : '');
      const index = typeof data?.index === 'number' ? data.index : 0;
      if (type === 'content-start') contentBlocks = Math.max(contentBlocks, index + 1);
      if (type === 'tool-call-start' && data) {
        const message = (data.delta as { message?: { tool_calls?: ToolCallJson } } | undefined)?.message;
        const call = message?.tool_calls;
        const name = typeof call?.function?.name === 'string' ? call.function.name : '';
        if (!holding && !judge.mayBlock(name)) released.add(index);
        else {
          holding = true;
          calls.set(index, { id: typeof call?.id === 'string' ? call.id : '', name, args: '' });
        }
      }
      if (!holding) return 'keep';
      if (type === 'message-end') return settle(data, raw) ?? 'drop';
      if (type === 'tool-call-delta' && data) {
        const fn = (data.delta as { message?: { tool_calls?: ToolCallJson } } | undefined)?.message?.tool_calls?.function;
        const call = calls.get(index);
        if (call && typeof fn?.arguments === 'string') call.args += fn.arguments;
      }
      held.push({ raw, type, data });
      return 'drop';
    },
  });

  return {
    push: (chunk) => tap.push(chunk),
    end: () => {
      const tail = tap.end();
      return holding ? settle(undefined, tail) : tail;
    },
    holding: () => holding,
    keepAlive: () => KEEP_ALIVE,
  };
}

/** Tool calls in v2 chat answers (`message.tool_calls`), and how to withhold them. */
export const chatV2ResponseToolDialect: ResponseToolDialect = {
  toolCalls(body) {
    const json = parseJsonRecord(body.toString('utf8')) as ChatV2Json | undefined;
    return callsOf(json?.message?.tool_calls);
  },
  refuse(body, refusal) {
    const json = parseJsonRecord(body.toString('utf8')) as ChatV2Json;
    const message = json.message!;
    delete message.tool_calls;
    // The plan announces the withheld calls.
    delete message.tool_plan;
    const content = Array.isArray(message.content) ? message.content : [];
    message.content = [...content, { type: 'text', text: refusal }];
    if (json.finish_reason === 'TOOL_CALL') json.finish_reason = 'COMPLETE';
    return Buffer.from(JSON.stringify(json));
  },
  guardStream: guardChatV2Stream,
};
