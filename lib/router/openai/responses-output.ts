import type { JsonObject } from '../../providers/shared/json-body.ts';
import { randomToken, type FinishReason, type RouterCompletion, type RouterUsage, type StreamPart } from '../neutral.ts';
import { responsesUsage } from './usage-output.ts';

type Item = Record<string, unknown>;

/** The request settings a Response object repeats back. */
export function responseEcho(json: JsonObject): Record<string, unknown> {
  const pick = (field: string, fallback: unknown) => (json[field] === undefined ? fallback : json[field]);
  return {
    instructions: pick('instructions', null),
    max_output_tokens: pick('max_output_tokens', null),
    parallel_tool_calls: pick('parallel_tool_calls', true),
    previous_response_id: null,
    reasoning: pick('reasoning', { effort: null, summary: null }),
    // The router keeps nothing: a response can never be referred to later.
    store: false,
    temperature: pick('temperature', 1),
    text: pick('text', { format: { type: 'text' } }),
    tool_choice: pick('tool_choice', 'auto'),
    tools: pick('tools', []),
    top_p: pick('top_p', 1),
    truncation: 'disabled',
    user: pick('user', null),
    metadata: pick('metadata', {}),
  };
}

function status(reason: FinishReason | undefined): { status: string; incomplete_details: unknown } {
  if (reason === 'length') return { status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } };
  if (reason === 'content_filter') return { status: 'incomplete', incomplete_details: { reason: 'content_filter' } };
  return { status: 'completed', incomplete_details: null };
}

const textPart = (text: string) => ({ type: 'output_text', text, annotations: [], logprobs: [] });
const messageItem = (id: string, text: string, itemStatus = 'completed'): Item => ({
  id,
  type: 'message',
  status: itemStatus,
  role: 'assistant',
  content: itemStatus === 'completed' ? [textPart(text)] : [],
});
const reasoningItem = (id: string, text: string): Item => ({ id, type: 'reasoning', summary: text === '' ? [] : [{ type: 'summary_text', text }] });
const callItem = (id: string, callId: string, name: string, args: string, itemStatus = 'completed'): Item => ({
  id,
  type: 'function_call',
  status: itemStatus,
  arguments: args,
  call_id: callId,
  name,
});

const itemId = (prefix: string) => `${prefix}_${randomToken(32)}`;

interface ResponseFrame {
  id: string;
  createdAt: number;
  model: string;
  echo: Record<string, unknown>;
}

function responseObject(frame: ResponseFrame, fields: { status: string; incomplete_details: unknown; output: Item[]; usage: unknown }) {
  return {
    id: frame.id,
    object: 'response',
    created_at: frame.createdAt,
    status: fields.status,
    background: false,
    error: null,
    incomplete_details: fields.incomplete_details,
    model: frame.model,
    output: fields.output,
    usage: fields.usage,
    ...frame.echo,
  };
}

const newFrame = (model: string, echo: Record<string, unknown>): ResponseFrame => ({
  id: `resp_${randomToken(40)}`,
  createdAt: Math.floor(Date.now() / 1000),
  model,
  echo,
});

/** A neutral completion as a Response object: reasoning summary, message and function calls, in that order. */
export function responseFromCompletion(completion: RouterCompletion, model: string, echo: Record<string, unknown>) {
  const output: Item[] = [];
  if (completion.reasoning !== '') output.push(reasoningItem(itemId('rs'), completion.reasoning));
  if (completion.text !== '' || completion.toolCalls.length === 0) output.push(messageItem(itemId('msg'), completion.text));
  for (const call of completion.toolCalls) output.push(callItem(itemId('fc'), call.id, call.name, call.arguments));
  return responseObject(newFrame(completion.model ?? model, echo), {
    ...status(completion.finishReason),
    output,
    usage: responsesUsage(completion.usage),
  });
}

interface OpenText {
  kind: 'message' | 'reasoning';
  id: string;
  index: number;
  text: string;
}

interface OpenCall {
  id: string;
  index: number;
  callId: string;
  name: string;
  args: string;
}

/**
 * Writes neutral stream parts as Responses API events, in the order OpenAI sends them:
 * `response.created`, `response.in_progress`, then for each output item `output_item.added`, its
 * part and delta events and their `.done` events, `output_item.done`; finally
 * `response.completed` (or `response.incomplete`) with the whole response and its usage.
 */
export class ResponsesEventEncoder {
  private readonly frame: ResponseFrame;
  private sequence = 0;
  private readonly output: Item[] = [];
  private openText: OpenText | undefined;
  private readonly openCalls = new Map<number, OpenCall>();
  private readonly closedCalls = new Map<number, OpenCall>();
  private finishReason: FinishReason | undefined;
  private usage: RouterUsage | undefined;
  private started = false;

  constructor(model: string, echo: Record<string, unknown>) {
    this.frame = newFrame(model, echo);
  }

  private event(type: string, fields: Record<string, unknown>): string {
    const data = { type, sequence_number: this.sequence++, ...fields };
    return `event: ${type}\ndata: ${JSON.stringify(data)}\n\n`;
  }

  private start(): string {
    if (this.started) return '';
    this.started = true;
    const response = responseObject(this.frame, { status: 'in_progress', incomplete_details: null, output: [], usage: null });
    return this.event('response.created', { response }) + this.event('response.in_progress', { response });
  }

  private closeText(): string {
    const open = this.openText;
    if (!open) return '';
    this.openText = undefined;
    const at = { item_id: open.id, output_index: open.index };
    if (open.kind === 'message') {
      const item = messageItem(open.id, open.text);
      this.output[open.index] = item;
      return (
        this.event('response.output_text.done', { ...at, content_index: 0, text: open.text, logprobs: [] }) +
        this.event('response.content_part.done', { ...at, content_index: 0, part: textPart(open.text) }) +
        this.event('response.output_item.done', { output_index: open.index, item })
      );
    }
    const item = reasoningItem(open.id, open.text);
    this.output[open.index] = item;
    const summary = { type: 'summary_text', text: open.text };
    return (
      this.event('response.reasoning_summary_text.done', { ...at, summary_index: 0, text: open.text }) +
      this.event('response.reasoning_summary_part.done', { ...at, summary_index: 0, part: summary }) +
      this.event('response.output_item.done', { output_index: open.index, item })
    );
  }

  private closeCalls(): string {
    let out = '';
    for (const [index, call] of this.openCalls) {
      const item = callItem(call.id, call.callId, call.name, call.args);
      this.output[call.index] = item;
      this.closedCalls.set(index, call);
      out +=
        this.event('response.function_call_arguments.done', { item_id: call.id, output_index: call.index, name: call.name, arguments: call.args }) +
        this.event('response.output_item.done', { output_index: call.index, item });
    }
    this.openCalls.clear();
    return out;
  }

  private openTextItem(kind: OpenText['kind']): string {
    if (this.openText?.kind === kind) return '';
    let out = this.closeText() + this.closeCalls();
    const open: OpenText = { kind, id: itemId(kind === 'message' ? 'msg' : 'rs'), index: this.output.length, text: '' };
    this.openText = open;
    const at = { item_id: open.id, output_index: open.index };
    if (kind === 'message') {
      const item = messageItem(open.id, '', 'in_progress');
      this.output.push(item);
      out +=
        this.event('response.output_item.added', { output_index: open.index, item }) +
        this.event('response.content_part.added', { ...at, content_index: 0, part: textPart('') });
    } else {
      const item = reasoningItem(open.id, '');
      this.output.push(item);
      out +=
        this.event('response.output_item.added', { output_index: open.index, item }) +
        this.event('response.reasoning_summary_part.added', { ...at, summary_index: 0, part: { type: 'summary_text', text: '' } });
    }
    return out;
  }

  write(parts: readonly StreamPart[]): string {
    let out = '';
    for (const part of parts) {
      switch (part.type) {
        case 'meta':
          if (!this.started && part.model) this.frame.model = part.model;
          out += this.start();
          break;
        case 'text':
        case 'reasoning': {
          out += this.start() + this.openTextItem(part.type === 'text' ? 'message' : 'reasoning');
          const open = this.openText!;
          open.text += part.text;
          const at = { item_id: open.id, output_index: open.index };
          out +=
            part.type === 'text'
              ? this.event('response.output_text.delta', { ...at, content_index: 0, delta: part.text, logprobs: [] })
              : this.event('response.reasoning_summary_text.delta', { ...at, summary_index: 0, delta: part.text });
          break;
        }
        case 'tool-start': {
          out += this.start() + this.closeText();
          const call: OpenCall = { id: itemId('fc'), index: this.output.length, callId: part.id, name: part.name, args: '' };
          const item = callItem(call.id, call.callId, call.name, '', 'in_progress');
          this.output.push(item);
          this.openCalls.set(part.index, call);
          out += this.event('response.output_item.added', { output_index: call.index, item });
          break;
        }
        case 'tool-args': {
          const call = this.openCalls.get(part.index);
          if (!call) {
            // Arguments of a call already closed by a later item: they still reach the final response.
            const closed = this.closedCalls.get(part.index);
            if (closed) {
              closed.args += part.text;
              this.output[closed.index] = callItem(closed.id, closed.callId, closed.name, closed.args);
            }
            break;
          }
          call.args += part.text;
          out += this.event('response.function_call_arguments.delta', { item_id: call.id, output_index: call.index, delta: part.text });
          break;
        }
        case 'finish':
          this.finishReason = part.reason;
          break;
        case 'usage':
          this.usage = part.usage;
          break;
      }
    }
    return out;
  }

  /** After a whole upstream stream: every open item done, then `response.completed` (or `.incomplete`). */
  finish(): string {
    let out = this.start();
    if (this.output.length === 0) out += this.openTextItem('message');
    out += this.closeText() + this.closeCalls();
    const final = status(this.finishReason);
    const response = responseObject(this.frame, { ...final, output: this.output, usage: responsesUsage(this.usage) });
    return out + this.event(final.status === 'completed' ? 'response.completed' : 'response.incomplete', { response });
  }

  /** The upstream failed inside its stream: Responses' `error` event (the SDKs raise it). */
  error(message: string): string {
    return this.start() + this.event('error', { code: 'upstream_error', message, param: null });
  }

  summary(): { model: string; finishReason: FinishReason | undefined; usage: RouterUsage | undefined } {
    return { model: this.frame.model, finishReason: this.finishReason, usage: this.usage };
  }
}
