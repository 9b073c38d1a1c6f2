import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { FakeServer, sleep, type FakeHandler, type ReceivedRequest } from './fake-server.ts';

export interface FakeCohereToolCall {
  id: string;
  name: string;
  arguments: string;
}

export interface CohereUsage {
  billed_units: { input_tokens: number; output_tokens: number };
  tokens: { input_tokens: number; output_tokens: number };
}

export interface CohereBehaviour {
  content?: string;
  toolPlan?: string;
  toolCalls?: FakeCohereToolCall[];
  usage?: CohereUsage;
  delayMs?: number;
  /** Streams: how many content deltas. */
  chunks?: number;
  /** Streams: destroy the connection after this many content deltas. */
  cutAfterChunks?: number;
  /** Streams: end with a failed generation (finish reason ERROR) after this many content deltas. */
  failAfterChunks?: { chunks: number; message: string };
  /** Answer with this status and Cohere error body instead. */
  failWith?: { status: number; message: string };
  /** Streams: pause after a tool call's start (its name), before its arguments arrive. */
  toolCallPauseMs?: number;
  /** Answer 400 when the request body contains this text (it must never reach the provider). */
  rejectIfBodyContains?: string;
}

const DEFAULT_USAGE: CohereUsage = {
  billed_units: { input_tokens: 8, output_tokens: 6 },
  tokens: { input_tokens: 74, output_tokens: 6 },
};

function split(content: string, parts: number): string[] {
  if (parts <= 1) return [content];
  const size = Math.max(1, Math.ceil(content.length / parts));
  const out: string[] = [];
  for (let i = 0; i < content.length; i += size) out.push(content.slice(i, i + size));
  return out;
}

/** Resolves once the event is handed to the socket (so a test can cut the connection right after it). */
function writeEvent(res: ServerResponse, data: { type: string; [field: string]: unknown }): Promise<void> {
  return new Promise((resolve) => res.write(`event: ${data.type}\ndata: ${JSON.stringify(data)}\n\n`, () => resolve()));
}

function writeLine(res: ServerResponse, data: unknown): Promise<void> {
  return new Promise((resolve) => res.write(`${JSON.stringify(data)}\n`, () => resolve()));
}

async function v2Chat(behaviour: CohereBehaviour, req: ReceivedRequest, res: ServerResponse): Promise<void> {
  const body = (req.json ?? {}) as { stream?: boolean };
  const usage = behaviour.usage ?? DEFAULT_USAGE;
  const text = behaviour.content ?? 'Hello from the fake Command.';
  const toolCalls = behaviour.toolCalls;
  const finishReason = toolCalls?.length ? 'TOOL_CALL' : 'COMPLETE';
  const id = randomUUID();

  if (!body.stream) {
    const message = toolCalls?.length
      ? {
          role: 'assistant',
          tool_plan: behaviour.toolPlan ?? 'I will call the tool.',
          tool_calls: toolCalls.map((call) => ({
            id: call.id,
            type: 'function',
            function: { name: call.name, arguments: call.arguments },
          })),
        }
      : { role: 'assistant', content: [{ type: 'text', text }] };
    res.writeHead(200, { 'content-type': 'application/json', 'x-trial-endpoint-call-remaining': '999' });
    res.end(JSON.stringify({ id, message, finish_reason: finishReason, usage }));
    return;
  }

  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  writeEvent(res, {
    id,
    type: 'message-start',
    delta: { message: { role: 'assistant', content: [], tool_plan: '', tool_calls: [], citations: [] } },
  });
  if (toolCalls?.length) {
    writeEvent(res, { type: 'tool-plan-delta', delta: { message: { tool_plan: behaviour.toolPlan ?? 'I will call the tool.' } } });
    for (const [index, call] of toolCalls.entries()) {
      writeEvent(res, {
        type: 'tool-call-start',
        index,
        delta: { message: { tool_calls: { id: call.id, type: 'function', function: { name: call.name, arguments: '' } } } },
      });
      if (behaviour.toolCallPauseMs) await sleep(behaviour.toolCallPauseMs);
      for (const part of split(call.arguments, 2)) {
        writeEvent(res, {
          type: 'tool-call-delta',
          index,
          delta: { message: { tool_calls: { function: { arguments: part } } } },
        });
      }
      writeEvent(res, { type: 'tool-call-end', index });
    }
  } else {
    writeEvent(res, { type: 'content-start', index: 0, delta: { message: { content: { type: 'text', text: '' } } } });
    let sent = 0;
    for (const part of split(text, behaviour.chunks ?? 3)) {
      const written = writeEvent(res, { type: 'content-delta', index: 0, delta: { message: { content: { text: part } } } });
      sent++;
      if (behaviour.cutAfterChunks !== undefined && sent >= behaviour.cutAfterChunks) {
        await written;
        res.socket?.destroy();
        return;
      }
      const failure = behaviour.failAfterChunks;
      if (failure && sent >= failure.chunks) {
        writeEvent(res, { type: 'message-end', delta: { finish_reason: 'ERROR', error: failure.message } });
        res.end();
        return;
      }
    }
    writeEvent(res, { type: 'content-end', index: 0 });
  }
  writeEvent(res, { type: 'message-end', delta: { finish_reason: finishReason, usage } });
  res.end();
}

async function v1Chat(behaviour: CohereBehaviour, req: ReceivedRequest, res: ServerResponse): Promise<void> {
  const body = (req.json ?? {}) as { stream?: boolean; message?: string };
  const usage = behaviour.usage ?? DEFAULT_USAGE;
  const toolCalls = (behaviour.toolCalls ?? []).map((call) => ({ name: call.name, parameters: JSON.parse(call.arguments) as unknown }));
  const plan = behaviour.toolPlan ?? 'I will call the tool.';
  const text = toolCalls.length > 0 ? plan : (behaviour.content ?? 'Hello from the fake Command.');
  const generationId = randomUUID();
  const withCalls = toolCalls.length > 0 ? { tool_calls: toolCalls } : {};
  const response = {
    response_id: randomUUID(),
    text,
    generation_id: generationId,
    chat_history: [
      { role: 'USER', message: body.message ?? '' },
      { role: 'CHATBOT', message: text, ...withCalls },
    ],
    finish_reason: 'COMPLETE',
    ...withCalls,
    meta: { api_version: { version: '1' }, ...usage },
  };
  if (!body.stream) {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(response));
    return;
  }
  res.writeHead(200, { 'content-type': 'application/stream+json' });
  writeLine(res, { is_finished: false, event_type: 'stream-start', generation_id: generationId });
  if (toolCalls.length > 0) {
    for (const part of split(plan, 2)) writeLine(res, { is_finished: false, event_type: 'tool-calls-chunk', text: part });
    for (const [index, call] of (behaviour.toolCalls ?? []).entries()) {
      writeLine(res, { is_finished: false, event_type: 'tool-calls-chunk', tool_call_delta: { index, name: call.name } });
      if (behaviour.toolCallPauseMs) await sleep(behaviour.toolCallPauseMs);
      for (const part of split(call.arguments, 2)) {
        writeLine(res, { is_finished: false, event_type: 'tool-calls-chunk', tool_call_delta: { index, parameters: part } });
      }
    }
    writeLine(res, { is_finished: false, event_type: 'tool-calls-generation', text: plan, tool_calls: toolCalls });
  } else {
    let sent = 0;
    for (const part of split(text, behaviour.chunks ?? 3)) {
      const written = writeLine(res, { is_finished: false, event_type: 'text-generation', text: part });
      sent++;
      if (behaviour.cutAfterChunks !== undefined && sent >= behaviour.cutAfterChunks) {
        await written;
        res.socket?.destroy();
        return;
      }
    }
  }
  writeLine(res, { is_finished: true, event_type: 'stream-end', response, finish_reason: 'COMPLETE' });
  res.end();
}

/** Answers Cohere's chat API the way api.cohere.com does: v2 (SSE streams) and v1 (NDJSON streams). */
export function cohereChat(behaviour: CohereBehaviour = {}): FakeHandler {
  return async (req, res) => {
    if (behaviour.delayMs) await sleep(behaviour.delayMs);
    const authorization = req.headers.authorization;
    if (typeof authorization !== 'string' || !authorization.startsWith('Bearer ')) {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: 'no api key supplied' }));
      return;
    }
    if (behaviour.rejectIfBodyContains && req.body.toString('utf8').includes(behaviour.rejectIfBodyContains)) {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: 'the fake upstream received text it must never see' }));
      return;
    }
    if (behaviour.failWith) {
      res.writeHead(behaviour.failWith.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: behaviour.failWith.message }));
      return;
    }
    if (req.method === 'POST' && req.path === '/v2/chat') return v2Chat(behaviour, req, res);
    if (req.method === 'POST' && req.path === '/v1/chat') return v1Chat(behaviour, req, res);
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ message: `Not found: ${req.path}` }));
  };
}

/** A fake api.cohere.com: clients use its URL as the base URL. */
export async function startFakeCohere(behaviour: CohereBehaviour = {}): Promise<FakeServer> {
  return new FakeServer(cohereChat(behaviour)).start();
}
