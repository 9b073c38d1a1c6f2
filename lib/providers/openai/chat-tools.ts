import { SseTap } from '../../streaming/sse-events.ts';
import {
  parseMaybeJson,
  sseStreamGuard,
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

type Message = { role?: unknown; content?: unknown; tool_call_id?: unknown; name?: unknown; tool_calls?: unknown };
type ToolCallJson = { id?: string; type?: string; function?: { name?: string; arguments?: string } };

function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .map((part: { type?: string; text?: unknown }) => (typeof part?.text === 'string' ? part.text : ''))
      .join('');
  }
  return content === undefined || content === null ? '' : JSON.stringify(content);
}

/** Tools, tool results and their tool names in a Chat Completions request (also the legacy `functions`). */
export function chatRequestToolView(json: JsonObject, serialize: () => Buffer): RequestToolView {
  const declaredTools: DeclaredTool[] = [];
  for (const tool of Array.isArray(json.tools) ? (json.tools as Array<{ type?: string; function?: DeclaredTool }>) : []) {
    const fn = tool?.function;
    if (tool?.type === 'function' && typeof fn?.name === 'string') {
      declaredTools.push({ name: fn.name, description: fn.description, parameters: fn.parameters });
    }
  }
  for (const fn of Array.isArray(json.functions) ? (json.functions as DeclaredTool[]) : []) {
    if (typeof fn?.name === 'string') declaredTools.push({ name: fn.name, description: fn.description, parameters: fn.parameters });
  }

  const messages = Array.isArray(json.messages) ? (json.messages as Message[]) : [];
  const callNames = new Map<string, string>();
  const toolResults: ToolResultView[] = [];
  for (const message of messages) {
    if (message === null || typeof message !== 'object') continue;
    if (message.role === 'assistant' && Array.isArray(message.tool_calls)) {
      for (const call of message.tool_calls as ToolCallJson[]) {
        if (typeof call?.id === 'string' && typeof call.function?.name === 'string') callNames.set(call.id, call.function.name);
      }
    }
    const legacy = message.role === 'function' && typeof message.name === 'string';
    if ((message.role === 'tool' && typeof message.tool_call_id === 'string') || legacy) {
      const callId = legacy ? `function:${message.name as string}` : (message.tool_call_id as string);
      toolResults.push({
        callId,
        toolName: legacy ? (message.name as string) : callNames.get(callId),
        content: parseMaybeJson(contentText(message.content)),
        replace: (text) => {
          message.content = text;
        },
      });
    }
  }
  return { declaredTools, toolResults, rebuildBody: serialize };
}

interface ChatCompletionJson {
  choices?: Array<{ message?: { content?: unknown; tool_calls?: ToolCallJson[]; function_call?: unknown }; finish_reason?: unknown }>;
}

function callsOf(toolCalls: ToolCallJson[] | undefined): ToolCallView[] {
  return (toolCalls ?? []).map((call) => ({
    id: call.id ?? '',
    name: call.function?.name ?? '',
    arguments: parseMaybeJson(call.function?.arguments ?? ''),
  }));
}

interface HeldCall {
  id: string;
  name: string;
  args: string;
}

/** Chat Completions streams: tool-call deltas are held once a call that may be blocked begins. */
function guardChatStream(
  judge: ToolCallJudge,
  onBlocked: (blocked: BlockedCall[]) => void,
  refusal: (blocked: BlockedCall[]) => string,
): StreamGuard {
  const held: Buffer[] = [];
  const calls = new Map<number, HeldCall>();
  let holdingAll = false;
  const releasedIndices = new Set<number>();

  const verdicts = (): BlockedCall[] =>
    [...calls.values()]
      .map((call) => {
        const view = { id: call.id, name: call.name, arguments: parseMaybeJson(call.args) };
        return { call: view, verdict: judge.judge(view) };
      })
      .filter((entry) => !entry.verdict.allowed);

  const settle = (finish: Record<string, unknown> | undefined, raw: Buffer): Buffer => {
    const blocked = verdicts();
    holdingAll = false;
    const heldBytes = held.splice(0);
    calls.clear();
    if (blocked.length === 0) return Buffer.concat([...heldBytes, raw]);
    onBlocked(blocked);
    const base = finish ?? {};
    const choice = ((base.choices as Array<Record<string, unknown>> | undefined) ?? [])[0] ?? { index: 0 };
    const text = {
      ...base,
      choices: [{ index: choice.index ?? 0, delta: { content: refusal(blocked) }, logprobs: null, finish_reason: null }],
    };
    const events = [`data: ${JSON.stringify(text)}\n\n`];
    if (finish) {
      const done = { ...base, choices: [{ ...choice, delta: {}, finish_reason: releasedIndices.size > 0 ? 'tool_calls' : 'stop' }] };
      events.push(`data: ${JSON.stringify(done)}\n\n`);
    }
    return Buffer.from(events.join(''));
  };

  let parsed: Record<string, unknown> | undefined;
  const tap = new SseTap({
    onEvent: (event) => {
      parsed = undefined;
      if (event.data === '[DONE]' || (!event.data.includes('"tool_calls"') && !holdingAll)) return;
      try {
        parsed = JSON.parse(event.data) as Record<string, unknown>;
      } catch {
        parsed = undefined;
      }
    },
    decide: (_event, raw) => {
      const chunk = parsed;
      if (!chunk) return 'keep';
      const choice = (chunk.choices as Array<{ delta?: { tool_calls?: Array<ToolCallJson & { index?: number }> }; finish_reason?: unknown }> | undefined)?.[0];
      const deltas = choice?.delta?.tool_calls;
      if (deltas?.length) {
        for (const delta of deltas) {
          const index = delta.index ?? 0;
          if (releasedIndices.has(index)) continue;
          let call = calls.get(index);
          if (!call || (delta.id && delta.id !== call.id)) {
            call = { id: delta.id ?? '', name: delta.function?.name ?? '', args: '' };
            if (!holdingAll && !judge.mayBlock(call.name)) {
              releasedIndices.add(index);
              continue;
            }
            holdingAll = true;
            calls.set(index, call);
          }
          call.args += delta.function?.arguments ?? '';
        }
      }
      if (holdingAll && choice?.finish_reason != null) return settle(chunk, raw);
      if (holdingAll) {
        held.push(raw);
        return 'drop';
      }
      return 'keep';
    },
  });

  return sseStreamGuard(tap, () => holdingAll, (tail) => settle(undefined, tail));
}

/** Tool calls in Chat Completions answers, and how to withhold them. */
export const chatResponseToolDialect: ResponseToolDialect = {
  toolCalls(body) {
    try {
      const json = JSON.parse(body.toString('utf8')) as ChatCompletionJson;
      return (json.choices ?? []).flatMap((choice) => callsOf(choice.message?.tool_calls));
    } catch {
      return [];
    }
  },
  refuse(body, refusal) {
    const json = JSON.parse(body.toString('utf8')) as ChatCompletionJson;
    for (const choice of json.choices ?? []) {
      const message = choice.message;
      if (!message?.tool_calls?.length && !message?.function_call) continue;
      delete message.tool_calls;
      delete message.function_call;
      const previous = typeof message.content === 'string' && message.content !== '' ? `${message.content}\n\n` : '';
      message.content = `${previous}${refusal}`;
      choice.finish_reason = 'stop';
    }
    return Buffer.from(JSON.stringify(json));
  },
  guardStream: guardChatStream,
};
