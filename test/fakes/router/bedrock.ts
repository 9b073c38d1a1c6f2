import type { ServerResponse } from 'node:http';
import { EventStreamCodec } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';
import { FakeServer, type FakeHandler, type ReceivedRequest } from '../fake-server.ts';

const codec = new EventStreamCodec(toUtf8, fromUtf8);

export interface BedrockBehaviour {
  content?: string;
  reasoning?: string;
  toolUses?: Array<{ toolUseId: string; name: string; input: Record<string, unknown> }>;
  usage?: { inputTokens: number; outputTokens: number; cacheReadInputTokens?: number; cacheWriteInputTokens?: number };
  stopReason?: string;
  /** Streams: how many text deltas. */
  chunks?: number;
  /** Streams: an exception frame after this many frames ends the stream. */
  exceptionAfterFrames?: { frames: number; type: string; message: string };
  /** Answer with this AWS error instead. */
  failWith?: { status: number; type: string; message: string };
}

const DEFAULT_USAGE = { inputTokens: 21, outputTokens: 9, cacheReadInputTokens: 5, cacheWriteInputTokens: 2 };

/** One event-stream frame as Bedrock sends it (JSON payload with its `p` padding). */
export function eventFrame(eventType: string, payload: Record<string, unknown>): Uint8Array {
  return codec.encode({
    headers: {
      ':event-type': { type: 'string', value: eventType },
      ':content-type': { type: 'string', value: 'application/json' },
      ':message-type': { type: 'string', value: 'event' },
    },
    body: fromUtf8(JSON.stringify({ ...payload, p: 'abcdefghijklmnop' })),
  });
}

function exceptionFrame(type: string, message: string): Uint8Array {
  return codec.encode({
    headers: {
      ':exception-type': { type: 'string', value: type },
      ':content-type': { type: 'string', value: 'application/json' },
      ':message-type': { type: 'string', value: 'exception' },
    },
    body: fromUtf8(JSON.stringify({ message })),
  });
}

function split(content: string, parts: number): string[] {
  const size = Math.max(1, Math.ceil(content.length / Math.max(1, parts)));
  const out: string[] = [];
  for (let i = 0; i < content.length; i += size) out.push(content.slice(i, i + size));
  return out;
}

export function converseFrames(behaviour: BedrockBehaviour = {}): Uint8Array[] {
  const usage = behaviour.usage ?? DEFAULT_USAGE;
  const frames = [eventFrame('messageStart', { role: 'assistant' })];
  const toolUses = behaviour.toolUses ?? [];
  let block = 0;
  if (behaviour.reasoning) {
    frames.push(eventFrame('contentBlockDelta', { contentBlockIndex: block, delta: { reasoningContent: { text: behaviour.reasoning } } }));
    frames.push(eventFrame('contentBlockStop', { contentBlockIndex: block++ }));
  }
  if (toolUses.length === 0) {
    for (const text of split(behaviour.content ?? 'Hello from the fake Bedrock.', behaviour.chunks ?? 3)) {
      frames.push(eventFrame('contentBlockDelta', { contentBlockIndex: block, delta: { text } }));
    }
    frames.push(eventFrame('contentBlockStop', { contentBlockIndex: block++ }));
  }
  for (const tool of toolUses) {
    const input = JSON.stringify(tool.input);
    const half = Math.ceil(input.length / 2);
    frames.push(eventFrame('contentBlockStart', { contentBlockIndex: block, start: { toolUse: { toolUseId: tool.toolUseId, name: tool.name } } }));
    frames.push(eventFrame('contentBlockDelta', { contentBlockIndex: block, delta: { toolUse: { input: input.slice(0, half) } } }));
    frames.push(eventFrame('contentBlockDelta', { contentBlockIndex: block, delta: { toolUse: { input: input.slice(half) } } }));
    frames.push(eventFrame('contentBlockStop', { contentBlockIndex: block++ }));
  }
  frames.push(eventFrame('messageStop', { stopReason: behaviour.stopReason ?? (toolUses.length ? 'tool_use' : 'end_turn') }));
  frames.push(eventFrame('metadata', { usage: { ...usage, totalTokens: usage.inputTokens + usage.outputTokens }, metrics: { latencyMs: 42 } }));
  return frames;
}

/** Answers Converse and ConverseStream the way bedrock-runtime.<region>.amazonaws.com does, for a Bedrock API key. */
export function bedrockApi(behaviour: BedrockBehaviour = {}): FakeHandler {
  return (req: ReceivedRequest, res: ServerResponse) => {
    const match = /^\/model\/(.+)\/(converse|converse-stream)$/.exec(req.path);
    if (!match || req.method !== 'POST') {
      res.writeHead(404, { 'content-type': 'application/json', 'x-amzn-errortype': 'UnknownOperationException' });
      res.end(JSON.stringify({ message: 'Unknown operation' }));
      return;
    }
    if (!String(req.headers.authorization ?? '').startsWith('Bearer ')) {
      res.writeHead(403, { 'content-type': 'application/json', 'x-amzn-errortype': 'AccessDeniedException:http://internal.amazon.com/coral/com.amazon.coral.service/' });
      res.end(JSON.stringify({ message: 'Authentication failed' }));
      return;
    }
    if (behaviour.failWith) {
      res.writeHead(behaviour.failWith.status, {
        'content-type': 'application/json',
        'x-amzn-errortype': `${behaviour.failWith.type}:http://internal.amazon.com/coral/com.amazon.bedrock/`,
      });
      res.end(JSON.stringify({ message: behaviour.failWith.message }));
      return;
    }
    const usage = behaviour.usage ?? DEFAULT_USAGE;
    const toolUses = behaviour.toolUses ?? [];
    if (match[2] === 'converse') {
      const content: unknown[] = [];
      if (behaviour.reasoning) content.push({ reasoningContent: { reasoningText: { text: behaviour.reasoning, signature: 'sig' } } });
      if (toolUses.length) content.push(...toolUses.map((toolUse) => ({ toolUse })));
      else content.push({ text: behaviour.content ?? 'Hello from the fake Bedrock.' });
      res.writeHead(200, { 'content-type': 'application/json', 'x-amzn-requestid': 'req-fake' });
      res.end(
        JSON.stringify({
          metrics: { latencyMs: 42 },
          output: { message: { role: 'assistant', content } },
          stopReason: behaviour.stopReason ?? (toolUses.length ? 'tool_use' : 'end_turn'),
          usage: { ...usage, totalTokens: usage.inputTokens + usage.outputTokens },
        }),
      );
      return;
    }
    res.writeHead(200, { 'content-type': 'application/vnd.amazon.eventstream', 'x-amzn-requestid': 'req-fake' });
    let sent = 0;
    for (const frame of converseFrames(behaviour)) {
      const failure = behaviour.exceptionAfterFrames;
      if (failure && sent >= failure.frames) {
        res.end(exceptionFrame(failure.type, failure.message));
        return;
      }
      // Each frame in two writes, so that frames also arrive split across chunks.
      const middle = Math.floor(frame.length / 3);
      res.write(frame.subarray(0, middle));
      res.write(frame.subarray(middle));
      sent++;
    }
    res.end();
  };
}

export async function startFakeBedrock(behaviour: BedrockBehaviour = {}): Promise<FakeServer> {
  return new FakeServer(bedrockApi(behaviour)).start();
}
