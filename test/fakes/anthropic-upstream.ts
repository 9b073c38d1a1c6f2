import type { ServerResponse } from 'node:http';
import { FakeServer, sleep, type FakeHandler, type ReceivedRequest } from './fake-server.ts';

export interface FakeToolUse {
  id: string;
  name: string;
  input: Record<string, unknown>;
}

export interface AnthropicUsage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens?: number;
  cache_read_input_tokens?: number;
}

/** A tool Anthropic runs itself (web search, …): its `server_tool_use` block and its result block. */
export interface FakeServerToolUse {
  id: string;
  name: string;
  input: Record<string, unknown>;
  resultType: string;
  result: unknown;
}

export interface MessagesBehaviour {
  model?: string;
  content?: string;
  toolUse?: FakeToolUse;
  /** Several tool_use blocks (after `toolUse`, if both are given). */
  toolUses?: FakeToolUse[];
  /** With tool calls: a text block before them. */
  textBeforeTools?: string;
  /** A server tool's use and result blocks at the start of the answer. */
  serverToolUse?: FakeServerToolUse;
  /** Streams: pause after a tool_use block's start, before its input arrives. */
  toolPauseMs?: number;
  /** Answer 400 when the request body contains this text (it must never reach the provider). */
  rejectIfBodyContains?: string;
  usage?: AnthropicUsage;
  /** Wait this long before the response headers. */
  delayMs?: number;
  /** Streams: how many text deltas (the content is split across them). */
  chunks?: number;
  /** Streams: destroy the connection after this many text deltas. */
  cutAfterChunks?: number;
  /** Streams: send an `error` event after this many text deltas, then end the response. */
  errorAfterChunks?: { chunks: number; type: string; message: string };
  /** Answer with this status and Anthropic error body instead. */
  failWith?: { status: number; type: string; message: string };
}

const DEFAULT_USAGE: AnthropicUsage = {
  input_tokens: 21,
  output_tokens: 9,
  cache_creation_input_tokens: 0,
  cache_read_input_tokens: 0,
};

function messageId(): string {
  return `msg_${Math.random().toString(36).slice(2, 14)}`;
}

function split(content: string, parts: number): string[] {
  if (parts <= 1) return [content];
  const size = Math.max(1, Math.ceil(content.length / parts));
  const out: string[] = [];
  for (let i = 0; i < content.length; i += size) out.push(content.slice(i, i + size));
  return out;
}

/** Resolves once the event is handed to the socket (so a test can cut the connection right after it). */
function writeEvent(res: ServerResponse, name: string, data: unknown): Promise<void> {
  return new Promise((resolve) => res.write(`event: ${name}\ndata: ${JSON.stringify(data)}\n\n`, () => resolve()));
}

function errorBody(type: string, message: string) {
  return { type: 'error', error: { type, message }, request_id: 'req_fake_error' };
}

/** Answers the Messages API the way api.anthropic.com does, plain or streamed (named SSE events). */
export function anthropicMessages(behaviour: MessagesBehaviour = {}): FakeHandler {
  return async (req: ReceivedRequest, res) => {
    if (behaviour.delayMs) await sleep(behaviour.delayMs);
    if (req.method !== 'POST' || req.path !== '/v1/messages') {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify(errorBody('not_found_error', `Not found: ${req.path}`)));
      return;
    }
    if (!req.headers['x-api-key'] && !req.headers.authorization) {
      res.writeHead(401, { 'content-type': 'application/json', 'request-id': 'req_fake_error' });
      res.end(JSON.stringify(errorBody('authentication_error', 'x-api-key header is required')));
      return;
    }
    if (behaviour.rejectIfBodyContains && req.body.toString('utf8').includes(behaviour.rejectIfBodyContains)) {
      res.writeHead(400, { 'content-type': 'application/json', 'request-id': 'req_fake_error' });
      res.end(JSON.stringify(errorBody('invalid_request_error', 'the fake upstream received text it must never see')));
      return;
    }
    if (behaviour.failWith) {
      const { status, type, message } = behaviour.failWith;
      res.writeHead(status, { 'content-type': 'application/json', 'request-id': 'req_fake_error' });
      res.end(JSON.stringify(errorBody(type, message)));
      return;
    }
    const body = (req.json ?? {}) as { model?: string; stream?: boolean };
    const model = behaviour.model ?? `${body.model ?? 'claude-sonnet'}-20250514`;
    const usage = behaviour.usage ?? DEFAULT_USAGE;
    const text = behaviour.content ?? 'Hello from the fake Claude.';
    const tools = [...(behaviour.toolUse ? [behaviour.toolUse] : []), ...(behaviour.toolUses ?? [])];
    const server = behaviour.serverToolUse;
    const stopReason = tools.length > 0 ? 'tool_use' : 'end_turn';
    const id = messageId();
    const serverBlocks: Array<Record<string, unknown>> = server
      ? [
          { type: 'server_tool_use', id: server.id, name: server.name, input: server.input },
          { type: server.resultType, tool_use_id: server.id, content: server.result },
        ]
      : [];
    const leadingText = tools.length > 0 ? behaviour.textBeforeTools : text;

    if (!body.stream) {
      const content: unknown[] = [
        ...serverBlocks,
        ...(leadingText !== undefined ? [{ type: 'text', text: leadingText }] : []),
        ...tools.map((tool) => ({ type: 'tool_use', id: tool.id, name: tool.name, input: tool.input })),
      ];
      res.writeHead(200, { 'content-type': 'application/json', 'request-id': 'req_fake' });
      res.end(
        JSON.stringify({ id, type: 'message', role: 'assistant', model, content, stop_reason: stopReason, stop_sequence: null, usage }),
      );
      return;
    }

    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'request-id': 'req_fake', 'cache-control': 'no-cache' });
    const { output_tokens, ...promptUsage } = usage;
    writeEvent(res, 'message_start', {
      type: 'message_start',
      message: {
        id,
        type: 'message',
        role: 'assistant',
        model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { ...promptUsage, output_tokens: 1 },
      },
    });
    writeEvent(res, 'ping', { type: 'ping' });
    let index = 0;
    const toolInput = async (block: Record<string, unknown>, input: Record<string, unknown>, pauseMs = 0) => {
      writeEvent(res, 'content_block_start', { type: 'content_block_start', index, content_block: { ...block, input: {} } });
      if (pauseMs) await sleep(pauseMs);
      for (const part of split(JSON.stringify(input), 3)) {
        writeEvent(res, 'content_block_delta', { type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: part } });
      }
      writeEvent(res, 'content_block_stop', { type: 'content_block_stop', index });
      index++;
    };
    if (server) {
      await toolInput({ type: 'server_tool_use', id: server.id, name: server.name }, server.input);
      writeEvent(res, 'content_block_start', { type: 'content_block_start', index, content_block: serverBlocks[1] });
      writeEvent(res, 'content_block_stop', { type: 'content_block_stop', index });
      index++;
    }
    if (leadingText !== undefined) {
      writeEvent(res, 'content_block_start', { type: 'content_block_start', index, content_block: { type: 'text', text: '' } });
      let sent = 0;
      for (const part of split(leadingText, behaviour.chunks ?? 3)) {
        const written = writeEvent(res, 'content_block_delta', { type: 'content_block_delta', index, delta: { type: 'text_delta', text: part } });
        sent++;
        if (behaviour.cutAfterChunks !== undefined && sent >= behaviour.cutAfterChunks) {
          await written;
          res.socket?.destroy();
          return;
        }
        const failure = behaviour.errorAfterChunks;
        if (failure && sent >= failure.chunks) {
          writeEvent(res, 'error', errorBody(failure.type, failure.message));
          res.end();
          return;
        }
      }
      writeEvent(res, 'content_block_stop', { type: 'content_block_stop', index });
      index++;
    }
    for (const tool of tools) {
      await toolInput({ type: 'tool_use', id: tool.id, name: tool.name }, tool.input, behaviour.toolPauseMs);
    }
    writeEvent(res, 'message_delta', {
      type: 'message_delta',
      delta: { stop_reason: stopReason, stop_sequence: null },
      usage: { output_tokens },
    });
    writeEvent(res, 'message_stop', { type: 'message_stop' });
    res.end();
  };
}

/** A fake api.anthropic.com: clients use its URL as the base URL. */
export async function startFakeAnthropic(behaviour: MessagesBehaviour = {}): Promise<FakeServer> {
  return new FakeServer(anthropicMessages(behaviour)).start();
}
