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

type InputItem = { type?: unknown; call_id?: unknown; name?: unknown; output?: unknown };
type OutputItem = { type?: string; id?: string; call_id?: string; name?: string; arguments?: string };

function outputText(output: unknown): string {
  if (typeof output === 'string') return output;
  if (Array.isArray(output)) {
    return output.map((part: { text?: unknown }) => (typeof part?.text === 'string' ? part.text : '')).join('');
  }
  return output === undefined || output === null ? '' : JSON.stringify(output);
}

/**
 * Function tools and `function_call_output` items of a Responses request. A result whose call is
 * not in this request (it lives in a stored response named by `previous_response_id`) has no known
 * tool, so it is untrusted: Sluice keeps no conversation state.
 */
export function responsesRequestToolView(json: JsonObject): RequestToolView {
  const declaredTools: DeclaredTool[] = [];
  for (const tool of Array.isArray(json.tools) ? (json.tools as Array<DeclaredTool & { type?: string }>) : []) {
    if (tool?.type === 'function' && typeof tool.name === 'string') {
      declaredTools.push({ name: tool.name, description: tool.description, parameters: tool.parameters });
    }
  }
  const items = Array.isArray(json.input) ? (json.input as InputItem[]) : [];
  const callNames = new Map<string, string>();
  for (const item of items) {
    if (item?.type === 'function_call' && typeof item.call_id === 'string' && typeof item.name === 'string') {
      callNames.set(item.call_id, item.name);
    }
  }
  const toolResults: ToolResultView[] = items
    .filter((item) => item?.type === 'function_call_output' && typeof item.call_id === 'string')
    .map((item) => ({
      callId: item.call_id as string,
      toolName: callNames.get(item.call_id as string),
      content: parseMaybeJson(outputText(item.output)),
      replace: (text: string) => {
        item.output = text;
      },
    }));
  return { declaredTools, toolResults, rebuildBody: () => Buffer.from(JSON.stringify(json)) };
}

function callView(item: OutputItem): ToolCallView {
  return { id: item.call_id ?? item.id ?? '', name: item.name ?? '', arguments: parseMaybeJson(item.arguments ?? '') };
}

function refusalMessage(text: string, id: string) {
  return {
    type: 'message',
    id,
    status: 'completed',
    role: 'assistant',
    content: [{ type: 'output_text', text, annotations: [] }],
  };
}

interface ResponseJson {
  output?: OutputItem[];
  output_text?: unknown;
}

function withoutCalls(response: ResponseJson, refusal: string, keep: (item: OutputItem, index: number) => boolean): void {
  const output = response.output ?? [];
  const firstRemoved = output.findIndex((item, i) => !keep(item, i));
  const kept = output.filter(keep);
  kept.splice(firstRemoved < 0 ? kept.length : firstRemoved, 0, refusalMessage(refusal, 'msg_sluice_refusal') as OutputItem);
  response.output = kept;
  if ('output_text' in response) response.output_text = refusal;
}

interface StreamEvent {
  type?: string;
  sequence_number?: number;
  output_index?: number;
  item?: OutputItem;
  arguments?: string;
  response?: ResponseJson;
}

/**
 * Responses streams: once a function call that may be blocked is announced
 * (`response.output_item.added`), its events and every later one are held until the response
 * ends; then they are released unchanged, or replaced by a refusal message item and a
 * `response.completed` without the withheld calls.
 */
function guardResponsesStream(
  judge: ToolCallJudge,
  onBlocked: (blocked: BlockedCall[]) => void,
  refusal: (blocked: BlockedCall[]) => string,
): StreamGuard {
  let holding = false;
  let firstHeld: { outputIndex: number; sequence: number } | undefined;
  const held: Buffer[] = [];
  const calls = new Map<number, OutputItem>();
  let parsed: StreamEvent | undefined;
  let named = true;

  const settle = (terminal: StreamEvent | undefined, raw: Buffer): Buffer => {
    holding = false;
    const heldBytes = held.splice(0);
    const blocked = [...calls.values()]
      .map((item) => ({ call: callView(item), verdict: judge.judge(callView(item)) }))
      .filter((entry) => !entry.verdict.allowed);
    const heldIndices = new Set(calls.keys());
    calls.clear();
    if (blocked.length === 0) return Buffer.concat([...heldBytes, raw]);
    onBlocked(blocked);
    const text = refusal(blocked);
    const outputIndex = firstHeld!.outputIndex;
    let sequence = firstHeld!.sequence;
    const item = refusalMessage(text, 'msg_sluice_refusal');
    const part = item.content[0]!;
    const event = (type: string, body: Record<string, unknown>) =>
      `${named ? `event: ${type}\n` : ''}data: ${JSON.stringify({ type, sequence_number: sequence++, ...body })}\n\n`;
    const events = [
      event('response.output_item.added', { output_index: outputIndex, item: { ...item, status: 'in_progress', content: [] } }),
      event('response.content_part.added', { item_id: item.id, output_index: outputIndex, content_index: 0, part: { ...part, text: '' } }),
      event('response.output_text.delta', { item_id: item.id, output_index: outputIndex, content_index: 0, delta: text, logprobs: [] }),
      event('response.output_text.done', { item_id: item.id, output_index: outputIndex, content_index: 0, text, logprobs: [] }),
      event('response.content_part.done', { item_id: item.id, output_index: outputIndex, content_index: 0, part }),
      event('response.output_item.done', { output_index: outputIndex, item }),
    ];
    if (terminal?.response) {
      withoutCalls(terminal.response, text, (candidate, i) => !(candidate.type === 'function_call' && (heldIndices.has(i) || i >= outputIndex)));
      events.push(event(terminal.type ?? 'response.completed', { response: terminal.response }));
    }
    return Buffer.from(events.join(''));
  };

  const tap = new SseTap({
    onEvent: (e) => {
      parsed = undefined;
      if (e.event === undefined) named = false;
      const type = e.event ?? /"type"\s*:\s*"([^"]+)"/.exec(e.data)?.[1];
      if (!holding && type !== 'response.output_item.added') return;
      try {
        parsed = JSON.parse(e.data) as StreamEvent;
      } catch {
        parsed = undefined;
      }
    },
    decide: (_e, raw) => {
      const event = parsed;
      if (!event) return holding ? (held.push(raw), 'drop') : 'keep';
      const type = event.type;
      if (type === 'response.output_item.added' && event.item?.type === 'function_call') {
        if (!holding && !judge.mayBlock(event.item.name ?? '')) return 'keep';
        if (!holding) firstHeld = { outputIndex: event.output_index ?? 0, sequence: event.sequence_number ?? 0 };
        holding = true;
        calls.set(event.output_index ?? 0, { ...event.item });
      }
      if (!holding) return 'keep';
      if (type === 'response.function_call_arguments.done' && calls.has(event.output_index ?? -1)) {
        calls.get(event.output_index!)!.arguments = event.arguments;
      }
      if (type === 'response.output_item.done' && event.item?.type === 'function_call' && calls.has(event.output_index ?? -1)) {
        calls.set(event.output_index!, { ...event.item });
      }
      if (type === 'response.completed' || type === 'response.incomplete') return settle(event, raw);
      held.push(raw);
      return 'drop';
    },
  });

  return sseStreamGuard(tap, () => holding, (tail) => settle(undefined, tail));
}

export const responsesToolDialect: ResponseToolDialect = {
  toolCalls(body) {
    try {
      const json = JSON.parse(body.toString('utf8')) as ResponseJson;
      return (json.output ?? []).filter((item) => item?.type === 'function_call').map(callView);
    } catch {
      return [];
    }
  },
  refuse(body, refusal) {
    const json = JSON.parse(body.toString('utf8')) as ResponseJson;
    withoutCalls(json, refusal, (item) => item.type !== 'function_call');
    return Buffer.from(JSON.stringify(json));
  },
  guardStream: guardResponsesStream,
};

/** Only requests with function tools or function call outputs go through the tool policies. */
export function responsesCarryTools(json: JsonObject): boolean {
  if (Array.isArray(json.tools) && json.tools.some((t: { type?: unknown }) => t?.type === 'function')) return true;
  return Array.isArray(json.input) && json.input.some((item: { type?: unknown }) => item?.type === 'function_call_output');
}
