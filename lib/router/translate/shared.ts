import { SluiceError } from '../../errors/sluice-error.ts';
import type { ReasoningEffort, RouterMessage, RouterRequest, ToolCall, UserPart } from '../neutral.ts';
import { notCarried } from '../openai/read-helpers.ts';

/** A tool call's arguments as a JSON object, for providers that take them parsed. */
export function argumentsObject(text: string, callId: string): Record<string, unknown> {
  if (text.trim() === '') return {};
  try {
    const value: unknown = JSON.parse(text);
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw new SluiceError('bad_request', `The arguments of tool call '${callId}' are not a JSON object, which this provider requires.`, {
    param: 'messages',
    code: 'invalid_value',
  });
}

/** The name of the tool behind each tool call id of the conversation. */
export function toolNamesById(messages: readonly RouterMessage[]): Map<string, string> {
  const names = new Map<string, string>();
  for (const message of messages) {
    if (message.role === 'assistant') for (const call of message.toolCalls) names.set(call.id, call.name);
  }
  return names;
}

export interface Turn<Block> {
  role: string;
  content: Block[];
}

/** Joins neighbouring turns of the same role (APIs that need user and assistant to alternate). */
export function mergeTurns<Block>(turns: Array<Turn<Block>>): Array<Turn<Block>> {
  const merged: Array<Turn<Block>> = [];
  for (const turn of turns) {
    if (turn.content.length === 0) continue;
    const last = merged.at(-1);
    if (last && last.role === turn.role) last.content.push(...turn.content);
    else merged.push({ role: turn.role, content: [...turn.content] });
  }
  return merged;
}

type Refusable = 'seed' | 'frequencyPenalty' | 'presencePenalty';
const paramOf: Record<Refusable, string> = { seed: 'seed', frequencyPenalty: 'frequency_penalty', presencePenalty: 'presence_penalty' };

/** Refuses the sampling settings a provider has no field for. */
export function refuseUnsupported(request: RouterRequest, providerName: string, fields: readonly Refusable[]): void {
  for (const field of fields) {
    if (request[field] !== undefined) throw notCarried(paramOf[field], providerName, `'${paramOf[field]}'`);
  }
}

export function refuseSequentialToolCalls(request: RouterRequest, providerName: string): void {
  if (request.parallelToolCalls === false && request.tools.length > 0) {
    throw notCarried('parallel_tool_calls', providerName, 'parallel_tool_calls: false (it has no way to limit an answer to one tool call)');
  }
}

/** Thinking token budgets for providers that take a budget rather than an effort level. */
export const thinkingBudgets: Readonly<Record<Exclude<ReasoningEffort, 'none'>, number>> = {
  minimal: 1024,
  low: 2048,
  medium: 8192,
  high: 16384,
  xhigh: 32768,
};

/** The conversation continues a tool call loop: it ends in tool results answering the last assistant turn. */
export function continuesToolLoop(messages: readonly RouterMessage[]): boolean {
  return messages.at(-1)?.role === 'tool';
}

/** A user message as OpenAI's Chat Completions (and Cohere's v2 chat) take it: a string when all text, else text and image_url parts. */
export function openAiStyleUserMessage(content: readonly UserPart[]): Record<string, unknown> {
  if (content.every((part) => part.type === 'text')) {
    return { role: 'user', content: content.map((part) => (part.type === 'text' ? part.text : '')).join('') };
  }
  return {
    role: 'user',
    content: content.map((part) =>
      part.type === 'text'
        ? { type: 'text', text: part.text }
        : { type: 'image_url', image_url: { url: part.image.kind === 'url' ? part.image.url : `data:${part.image.mediaType};base64,${part.image.base64}` } },
    ),
  };
}

/** Tool calls as OpenAI's Chat Completions (and Cohere's v2 chat) take them in an assistant message. */
export function openAiStyleToolCalls(calls: readonly ToolCall[]): Array<Record<string, unknown>> {
  return calls.map((call) => ({ id: call.id, type: 'function', function: { name: call.name, arguments: call.arguments } }));
}
