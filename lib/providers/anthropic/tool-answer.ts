import type { EventSourceMessage } from 'eventsource-parser';
import { parseJsonRecord, type JsonRecord } from '../../streaming/named-sse.ts';
import { SseTap } from '../../streaming/sse-events.ts';
import {
  parseMaybeJson,
  type AnswerToolResult,
  type BlockedCall,
  type ResponseToolDialect,
  type StreamGuard,
  type ToolCallJudge,
  type ToolCallView,
} from '../../security/tool-view.ts';
import { isProviderRunResult, isProviderRunUse, providerRunResultContent, type ContentBlock } from './tool-view.ts';

interface MessageJson {
  content?: ContentBlock[];
  stop_reason?: unknown;
}

function parseMessage(body: Buffer): MessageJson | undefined {
  const json = parseJsonRecord(body.toString('utf8')) as MessageJson | undefined;
  return json && Array.isArray(json.content) ? json : undefined;
}

/** Provider-run tool results among content blocks, named through their use blocks. */
function providerRunResults(blocks: readonly ContentBlock[]): AnswerToolResult[] {
  const names = new Map<string, string>();
  const out: AnswerToolResult[] = [];
  for (const block of blocks) {
    if (isProviderRunUse(block) && typeof block.name === 'string') names.set(block.id as string, block.name);
    else if (isProviderRunResult(block)) {
      const callId = block.tool_use_id as string;
      out.push({ callId, toolName: names.get(callId), content: providerRunResultContent(block) });
    }
  }
  return out;
}

function sse(type: string, data: JsonRecord): string {
  return `event: ${type}\ndata: ${JSON.stringify(data)}\n\n`;
}

const PING = Buffer.from(sse('ping', { type: 'ping' }));

interface HeldEvent {
  raw: Buffer;
  type: string;
  data: JsonRecord | undefined;
}

interface HeldToolUse {
  id: string;
  name: string;
  json: string;
  /** The input given in the block's start: Anthropic sends `{}` and streams the input, a relay may send it whole. */
  initial: unknown;
}

/**
 * Messages streams. Text and every other block stream through at once. From the first `tool_use`
 * block of a tool some policy could block, everything is held (so the answer stays coherent and
 * its content-block indices consecutive) until `message_delta` ends the content; every held call
 * is then judged. Allowed: the held events go out unchanged. Blocked: the held tool_use blocks are
 * dropped, the other held blocks renumbered, the refusal added as a text block, and the stop
 * reason `tool_use` rewritten to `end_turn` (unless an earlier call went out already). Results of
 * tools Anthropic ran while answering (web search, …) are shown to the judge as they arrive.
 */
function guardMessageStream(
  judge: ToolCallJudge,
  onBlocked: (blocked: BlockedCall[]) => void,
  refusal: (blocked: BlockedCall[]) => string,
): StreamGuard {
  let holding = false;
  let held: HeldEvent[] = [];
  let toolUses = new Map<number, HeldToolUse>();
  /** Client-side index of the first held block: the blocks before it went out. */
  let firstHeldIndex = 0;
  let releasedToolUse = false;
  const providerRunNames = new Map<string, string>();

  const calls = (): ToolCallView[] =>
    [...toolUses.values()].map((use) => ({
      id: use.id,
      name: use.name,
      arguments: use.json.trim() === '' ? (use.initial ?? {}) : parseMaybeJson(use.json),
    }));

  const refusalEvents = (blocked: BlockedCall[], finish: JsonRecord | undefined): Buffer => {
    const out: string[] = [];
    const renumbered = new Map<number, number>();
    let next = firstHeldIndex;
    for (const event of held) {
      const index = event.data?.index;
      if (typeof index !== 'number') continue; // held pings: the refusal replaces them
      if (toolUses.has(index)) continue;
      if (index < firstHeldIndex) {
        out.push(event.raw.toString('utf8'));
        continue;
      }
      if (!renumbered.has(index)) renumbered.set(index, next++);
      const client = renumbered.get(index)!;
      out.push(client === index ? event.raw.toString('utf8') : sse(event.type, { ...event.data, index: client }));
    }
    const index = next;
    out.push(sse('content_block_start', { type: 'content_block_start', index, content_block: { type: 'text', text: '' } }));
    out.push(
      sse('content_block_delta', { type: 'content_block_delta', index, delta: { type: 'text_delta', text: refusal(blocked) } }),
    );
    out.push(sse('content_block_stop', { type: 'content_block_stop', index }));
    if (finish) {
      const delta = (finish.delta ?? {}) as JsonRecord;
      const stop = delta.stop_reason === 'tool_use' && !releasedToolUse ? 'end_turn' : delta.stop_reason;
      out.push(sse('message_delta', { ...finish, delta: { ...delta, stop_reason: stop } }));
    }
    return Buffer.from(out.join(''));
  };

  const settle = (finish: JsonRecord | undefined, raw: Buffer | undefined): Buffer | undefined => {
    const blocked = calls()
      .map((call) => ({ call, verdict: judge.judge(call) }))
      .filter((entry) => !entry.verdict.allowed);
    let out: Buffer | undefined;
    if (blocked.length === 0) {
      const released = held.map((event) => event.raw);
      if (raw) released.push(raw);
      out = released.length > 0 ? Buffer.concat(released) : undefined;
    } else {
      onBlocked(blocked);
      out = refusalEvents(blocked, finish);
    }
    holding = false;
    held = [];
    toolUses = new Map();
    return out;
  };

  const onBlockStart = (data: JsonRecord): void => {
    const block = data.content_block as ContentBlock | undefined;
    const index = data.index;
    if (!block || typeof index !== 'number') return;
    if (isProviderRunUse(block) && typeof block.name === 'string') providerRunNames.set(block.id as string, block.name);
    if (isProviderRunResult(block)) {
      const callId = block.tool_use_id as string;
      judge.observeResult({ callId, toolName: providerRunNames.get(callId), content: providerRunResultContent(block) });
    }
    if (block.type !== 'tool_use') return;
    const use: HeldToolUse = {
      id: typeof block.id === 'string' ? block.id : '',
      name: typeof block.name === 'string' ? block.name : '',
      json: '',
      initial: block.input,
    };
    if (!holding && !judge.mayBlock(use.name)) {
      releasedToolUse = true;
      return;
    }
    if (!holding) firstHeldIndex = index;
    holding = true;
    toolUses.set(index, use);
  };

  let parsed: JsonRecord | undefined;
  const WATCHED = new Set(['content_block_start', 'message_delta', 'error']);
  const tap = new SseTap({
    onEvent: (event) => {
      parsed = holding || event.event === undefined || WATCHED.has(event.event) ? parseJsonRecord(event.data) : undefined;
    },
    decide: (event: EventSourceMessage, raw) => {
      const data = parsed;
      parsed = undefined;
      const type = event.event ?? (typeof data?.type === 'string' ? data.type : '');
      if (type === 'content_block_start' && data) onBlockStart(data);
      if (!holding) return 'keep';
      if (type === 'message_delta') return settle(data, raw) ?? 'drop';
      if (type === 'error') {
        // The answer failed: its unfinished calls are never shown, the error is.
        holding = false;
        held = [];
        toolUses = new Map();
        return 'keep';
      }
      if (type === 'content_block_delta' && data) {
        const use = toolUses.get(data.index as number);
        const delta = data.delta as { type?: unknown; partial_json?: unknown } | undefined;
        if (use && delta?.type === 'input_json_delta' && typeof delta.partial_json === 'string') use.json += delta.partial_json;
      }
      held.push({ raw, type, data });
      return 'drop';
    },
  });

  return {
    push: (chunk) => tap.push(chunk),
    end: () => {
      const tail = tap.end();
      if (!holding) return tail;
      return settle(undefined, tail);
    },
    holding: () => holding,
    keepAlive: () => PING,
  };
}

/** Tool calls in Messages answers (`tool_use` blocks), and how to withhold them. */
export const messagesResponseToolDialect: ResponseToolDialect = {
  toolCalls(body) {
    return (parseMessage(body)?.content ?? [])
      .filter((block) => block?.type === 'tool_use')
      .map((block) => ({
        id: typeof block.id === 'string' ? block.id : '',
        name: typeof block.name === 'string' ? block.name : '',
        arguments: block.input ?? {},
      }));
  },
  answerToolResults(body) {
    return providerRunResults(parseMessage(body)?.content ?? []);
  },
  refuse(body, refusal) {
    const json = parseMessage(body)!;
    json.content = json.content!.filter((block) => block?.type !== 'tool_use');
    json.content.push({ type: 'text', text: refusal });
    if (json.stop_reason === 'tool_use') json.stop_reason = 'end_turn';
    return Buffer.from(JSON.stringify(json));
  },
  guardStream: guardMessageStream,
};
