import { parseJsonRecord, type JsonRecord } from '../../streaming/named-sse.ts';
import { NdjsonEditor } from '../../streaming/ndjson-editor.ts';
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

/**
 * The v1 chat API carries tools without call ids: a tool call is `{name, parameters}`, and a tool
 * result `{call: {name, parameters}, outputs: [{…}]}` names its tool itself. Results come in the
 * request's `tool_results` and in `chat_history` entries with role TOOL. Sluice names each result
 * and call by its place in the body (`tool_results[0]`, `chat_history[2].tool_results[0]`).
 */

type ToolResultJson = { call?: { name?: unknown; parameters?: unknown }; outputs?: unknown };
type ToolCallJson = { name?: unknown; parameters?: unknown };

const isRecord = (value: unknown): value is JsonRecord => value !== null && typeof value === 'object' && !Array.isArray(value);

function resultView(result: ToolResultJson, callId: string): ToolResultView {
  const outputs = Array.isArray(result.outputs) ? result.outputs : [];
  return {
    callId,
    toolName: typeof result.call?.name === 'string' ? result.call.name : undefined,
    content: outputs.length === 1 ? outputs[0] : outputs,
    replace: (text) => {
      result.outputs = [{ text }];
    },
  };
}

export function chatV1RequestToolView(json: JsonObject, serialize: () => Buffer): RequestToolView {
  const declaredTools: DeclaredTool[] = [];
  for (const tool of Array.isArray(json.tools) ? (json.tools as JsonRecord[]) : []) {
    if (!isRecord(tool) || typeof tool.name !== 'string') continue;
    declaredTools.push({
      name: tool.name,
      description: typeof tool.description === 'string' ? tool.description : undefined,
      parameters: tool.parameter_definitions,
    });
  }
  const toolResults: ToolResultView[] = [];
  const collect = (results: unknown, where: string) => {
    if (!Array.isArray(results)) return;
    results.forEach((result, i) => {
      if (isRecord(result)) toolResults.push(resultView(result as ToolResultJson, `${where}tool_results[${i}]`));
    });
  };
  if (Array.isArray(json.chat_history)) {
    (json.chat_history as unknown[]).forEach((entry, m) => {
      if (isRecord(entry) && entry.role === 'TOOL') collect(entry.tool_results, `chat_history[${m}].`);
    });
  }
  collect(json.tool_results, '');
  return { declaredTools, toolResults, rebuildBody: serialize };
}

export function chatV1CarriesTools(json: JsonObject): boolean {
  if (Array.isArray(json.tools) && json.tools.length > 0) return true;
  if (Array.isArray(json.tool_results) && json.tool_results.length > 0) return true;
  return Array.isArray(json.chat_history) && json.chat_history.some((entry) => isRecord(entry) && entry.role === 'TOOL');
}

function callView(call: ToolCallJson, index: number): ToolCallView {
  return {
    id: `tool_calls[${index}]`,
    name: typeof call.name === 'string' ? call.name : '',
    arguments: call.parameters ?? {},
  };
}

/** A v1 answer (a complete response, or a stream-end's `response`) with only `kept` tool calls and the refusal as its text. */
function withRefusal(response: JsonRecord, refusal: string, kept: readonly unknown[]): JsonRecord {
  const out: JsonRecord = { ...response, text: refusal };
  if (kept.length > 0) out.tool_calls = kept;
  else delete out.tool_calls;
  if (Array.isArray(response.chat_history)) {
    const history = [...(response.chat_history as unknown[])];
    const last = history.length - 1;
    const entry = history[last];
    if (isRecord(entry) && entry.role === 'CHATBOT') {
      const { tool_calls: _withheld, ...rest } = entry;
      history[last] = { ...rest, message: refusal, ...(kept.length > 0 ? { tool_calls: kept } : {}) };
    }
    out.chat_history = history;
  }
  return out;
}

const line = (data: JsonRecord): Buffer => Buffer.from(`${JSON.stringify(data)}\n`);

/** A blank line: NDJSON readers (the cohere-ai SDK's included) skip it. */
const KEEP_ALIVE = Buffer.from('\n');

interface HeldCall {
  name: string;
  args: string;
}

/**
 * v1 chat streams (NDJSON). Text streams through at once. From the first `tool-calls-chunk` of a
 * tool some policy could block, lines are held until `tool-calls-generation` lists the complete
 * calls, which are judged. Allowed: the held lines go out unchanged. Blocked: the held call chunks
 * are dropped, the refusal is sent as a `text-generation` line (with a generation of the calls
 * already let through, if any), and the `stream-end` response is rewritten to match.
 */
function guardChatV1Stream(
  judge: ToolCallJudge,
  onBlocked: (blocked: BlockedCall[]) => void,
  refusal: (blocked: BlockedCall[]) => string,
): StreamGuard {
  let holding = false;
  let held: Array<{ raw: Buffer; data: JsonRecord | undefined }> = [];
  const chunkCalls = new Map<number, HeldCall>();
  const released = new Set<number>();
  let refused: { text: string; kept: unknown[] } | undefined;

  /** Judges the calls not let through; `generation` is the event listing them all, when it came. */
  const settle = (calls: Array<{ index: number; view: ToolCallView; raw: unknown }>, generation?: { data: JsonRecord; raw: Buffer }) => {
    const blocked = calls
      .filter(({ index }) => !released.has(index))
      .map(({ view }) => ({ call: view, verdict: judge.judge(view) }))
      .filter((entry) => !entry.verdict.allowed);
    let out: Buffer | undefined;
    if (blocked.length === 0) {
      const parts = held.map((entry) => entry.raw);
      if (generation) parts.push(generation.raw);
      out = parts.length > 0 ? Buffer.concat(parts) : undefined;
    } else {
      onBlocked(blocked);
      const text = refusal(blocked);
      const kept = calls.filter(({ index }) => released.has(index)).map(({ raw }) => raw);
      refused = { text, kept };
      const parts = held.filter((entry) => !isRecord(entry.data?.tool_call_delta)).map((entry) => entry.raw);
      parts.push(line({ is_finished: false, event_type: 'text-generation', text }));
      if (generation && kept.length > 0) parts.push(line({ ...generation.data, tool_calls: kept }));
      out = Buffer.concat(parts);
    }
    holding = false;
    held = [];
    chunkCalls.clear();
    return out;
  };

  const heldChunkCalls = () =>
    [...chunkCalls.entries()].map(([index, call]) => {
      const raw = { name: call.name, parameters: call.args.trim() === '' ? {} : parseMaybeJson(call.args) };
      return { index, view: callView(raw, index), raw };
    });

  const editor = new NdjsonEditor((text, raw) => {
    if (!holding && !refused && !text.includes('"tool-calls-')) return 'keep';
    const data = parseJsonRecord(text);
    const type = data?.event_type;
    if (type === 'tool-calls-chunk' && isRecord(data!.tool_call_delta)) {
      const delta = data!.tool_call_delta;
      const index = typeof delta.index === 'number' ? delta.index : 0;
      if (typeof delta.name === 'string' && !chunkCalls.has(index) && !released.has(index)) {
        if (!holding && !judge.mayBlock(delta.name)) released.add(index);
        else {
          holding = true;
          chunkCalls.set(index, { name: delta.name, args: '' });
        }
      }
      const call = chunkCalls.get(index);
      if (call && typeof delta.parameters === 'string') call.args += delta.parameters;
    }
    if (type === 'tool-calls-generation') {
      const calls = (Array.isArray(data!.tool_calls) ? (data!.tool_calls as unknown[]) : []).map((raw, index) => ({
        index,
        view: callView(isRecord(raw) ? raw : {}, index),
        raw,
      }));
      return settle(calls, { data: data!, raw }) ?? 'drop';
    }
    if (type === 'stream-end') {
      const before = holding ? settle(heldChunkCalls()) : undefined;
      if (!refused) return before ? Buffer.concat([before, raw]) : 'keep';
      const response = isRecord(data!.response) ? data!.response : {};
      const end = line({ ...data, response: withRefusal(response, refused.text, refused.kept) });
      return before ? Buffer.concat([before, end]) : end;
    }
    if (!holding) return 'keep';
    held.push({ raw, data });
    return 'drop';
  });

  return {
    push: (chunk) => editor.push(chunk),
    end: () => {
      const tail = editor.end();
      const settled = holding ? settle(heldChunkCalls()) : undefined;
      return tail && settled ? Buffer.concat([tail, settled]) : (tail ?? settled);
    },
    holding: () => holding,
    keepAlive: () => KEEP_ALIVE,
  };
}

/** Tool calls in v1 chat answers (`tool_calls`), and how to withhold them. */
export const chatV1ResponseToolDialect: ResponseToolDialect = {
  toolCalls(body) {
    const json = parseJsonRecord(body.toString('utf8'));
    const calls = Array.isArray(json?.tool_calls) ? (json.tool_calls as unknown[]) : [];
    return calls.map((call, index) => callView(isRecord(call) ? call : {}, index));
  },
  refuse(body, refusal) {
    return Buffer.from(JSON.stringify(withRefusal(parseJsonRecord(body.toString('utf8'))!, refusal, [])));
  },
  guardStream: guardChatV1Stream,
};
