import { createHash } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { Sha256 } from '@aws-crypto/sha256-js';
import { EventStreamCodec } from '@smithy/eventstream-codec';
import { SignatureV4 } from '@smithy/signature-v4';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';
import { FakeServer, sleep, type FakeHandler, type ReceivedRequest } from './fake-server.ts';

const codec = new EventStreamCodec(toUtf8, fromUtf8);
const PADDING = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

export interface BedrockBehaviour {
  content?: string;
  toolUses?: Array<{ toolUseId: string; name: string; input: Record<string, unknown> }>;
  usage?: { inputTokens: number; outputTokens: number; cacheReadInputTokens?: number; cacheWriteInputTokens?: number };
  /** Streams: text before the tool use (as a text block of its own). */
  textBeforeToolUse?: string;
  /** Streams: pause this long after each toolUse contentBlockStart frame. */
  toolUsePauseMs?: number;
  /** Streams: how many text deltas. */
  chunks?: number;
  /** Streams: after this many frames, an exception frame (Bedrock's `:message-type: exception`) ends the stream. */
  exceptionAfterFrames?: { frames: number; type: string; message: string };
  /** Streams: after this many frames, half a frame, then the connection is destroyed. */
  cutMidFrameAfter?: number;
  /** Answer with this AWS error instead. */
  failWith?: { status: number; type: string; message: string };
}

const DEFAULT_USAGE = { inputTokens: 21, outputTokens: 9, cacheReadInputTokens: 5, cacheWriteInputTokens: 2 };

/** One event-stream frame as Bedrock sends it: JSON payload with its `p` padding field. */
export function eventFrame(eventType: string, payload: Record<string, unknown>): Uint8Array {
  const json = JSON.stringify(payload);
  const padding = PADDING.slice(0, Math.max(1, Math.min(PADDING.length, 80 - json.length)));
  return codec.encode({
    headers: {
      ':event-type': { type: 'string', value: eventType },
      ':content-type': { type: 'string', value: 'application/json' },
      ':message-type': { type: 'string', value: 'event' },
    },
    body: fromUtf8(JSON.stringify({ ...payload, p: padding })),
  });
}

export function exceptionFrame(type: string, message: string): Uint8Array {
  return codec.encode({
    headers: {
      ':exception-type': { type: 'string', value: type },
      ':content-type': { type: 'string', value: 'application/json' },
      ':message-type': { type: 'string', value: 'exception' },
    },
    body: fromUtf8(JSON.stringify({ message })),
  });
}

/** `/model/{modelId}/converse[-stream]` with the model id decoded. */
export function converseTarget(path: string): { modelId: string; stream: boolean } | undefined {
  const match = /^\/model\/(.+)\/(converse|converse-stream)$/.exec(path);
  return match ? { modelId: decodeURIComponent(match[1]!), stream: match[2] === 'converse-stream' } : undefined;
}

function split(content: string, parts: number): string[] {
  const size = Math.max(1, Math.ceil(content.length / Math.max(1, parts)));
  const out: string[] = [];
  for (let i = 0; i < content.length; i += size) out.push(content.slice(i, i + size));
  return out;
}

/** The frames of a ConverseStream answer. */
export function converseStreamFrames(behaviour: BedrockBehaviour = {}): Uint8Array[] {
  const usage = behaviour.usage ?? DEFAULT_USAGE;
  const frames = [eventFrame('messageStart', { role: 'assistant' })];
  const toolUses = behaviour.toolUses ?? [];
  const offset = behaviour.textBeforeToolUse !== undefined && toolUses.length > 0 ? 1 : 0;
  if (offset) {
    frames.push(eventFrame('contentBlockDelta', { contentBlockIndex: 0, delta: { text: behaviour.textBeforeToolUse } }));
    frames.push(eventFrame('contentBlockStop', { contentBlockIndex: 0 }));
  }
  if (toolUses.length === 0) {
    for (const text of split(behaviour.content ?? 'Hello from the fake Bedrock.', behaviour.chunks ?? 3)) {
      frames.push(eventFrame('contentBlockDelta', { contentBlockIndex: 0, delta: { text } }));
    }
    frames.push(eventFrame('contentBlockStop', { contentBlockIndex: 0 }));
  }
  toolUses.forEach((tool, position) => {
    const index = position + offset;
    const input = JSON.stringify(tool.input);
    const half = Math.ceil(input.length / 2);
    frames.push(eventFrame('contentBlockStart', { contentBlockIndex: index, start: { toolUse: { toolUseId: tool.toolUseId, name: tool.name } } }));
    frames.push(eventFrame('contentBlockDelta', { contentBlockIndex: index, delta: { toolUse: { input: input.slice(0, half) } } }));
    frames.push(eventFrame('contentBlockDelta', { contentBlockIndex: index, delta: { toolUse: { input: input.slice(half) } } }));
    frames.push(eventFrame('contentBlockStop', { contentBlockIndex: index }));
  });
  frames.push(eventFrame('messageStop', { stopReason: toolUses.length ? 'tool_use' : 'end_turn' }));
  frames.push(
    eventFrame('metadata', {
      usage: { ...usage, totalTokens: usage.inputTokens + usage.outputTokens + (usage.cacheReadInputTokens ?? 0) + (usage.cacheWriteInputTokens ?? 0) },
      metrics: { latencyMs: 42 },
    }),
  );
  return frames;
}

/** Answers Converse and ConverseStream the way bedrock-runtime.<region>.amazonaws.com does. */
export function bedrockConverse(behaviour: BedrockBehaviour = {}): FakeHandler {
  return async (req: ReceivedRequest, res: ServerResponse) => {
    const target = converseTarget(req.path);
    const requestId = `req-${Math.random().toString(36).slice(2, 10)}`;
    if (!target || req.method !== 'POST') {
      res.writeHead(404, { 'content-type': 'application/json', 'x-amzn-errortype': 'UnknownOperationException' });
      res.end(JSON.stringify({ message: 'Unknown operation' }));
      return;
    }
    if (behaviour.failWith) {
      res.writeHead(behaviour.failWith.status, {
        'content-type': 'application/json',
        'x-amzn-requestid': requestId,
        'x-amzn-errortype': `${behaviour.failWith.type}:http://internal.amazon.com/coral/com.amazon.bedrock/`,
      });
      res.end(JSON.stringify({ message: behaviour.failWith.message }));
      return;
    }
    if (!target.stream) {
      const usage = behaviour.usage ?? DEFAULT_USAGE;
      const toolUses = behaviour.toolUses ?? [];
      res.writeHead(200, { 'content-type': 'application/json', 'x-amzn-requestid': requestId });
      res.end(
        JSON.stringify({
          metrics: { latencyMs: 42 },
          output: {
            message: {
              role: 'assistant',
              content: toolUses.length
                ? toolUses.map((toolUse) => ({ toolUse }))
                : [{ text: behaviour.content ?? 'Hello from the fake Bedrock.' }],
            },
          },
          stopReason: toolUses.length ? 'tool_use' : 'end_turn',
          usage: { ...usage, totalTokens: usage.inputTokens + usage.outputTokens },
        }),
      );
      return;
    }
    res.writeHead(200, { 'content-type': 'application/vnd.amazon.eventstream', 'x-amzn-requestid': requestId });
    const frames = converseStreamFrames(behaviour);
    let sent = 0;
    for (const frame of frames) {
      if (behaviour.cutMidFrameAfter !== undefined && sent >= behaviour.cutMidFrameAfter) {
        res.write(frame.subarray(0, Math.floor(frame.length / 2)));
        setImmediate(() => res.socket?.destroy());
        return;
      }
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
      if (behaviour.toolUsePauseMs && codec.decode(frame).headers[':event-type']?.value === 'contentBlockStart') {
        await sleep(behaviour.toolUsePauseMs);
      }
    }
    res.end();
  };
}

export async function startFakeBedrock(behaviour: BedrockBehaviour = {}): Promise<FakeServer> {
  return new FakeServer(bedrockConverse(behaviour)).start();
}

export interface SigV4Check {
  accessKeyId: string;
  scope: string;
  signedHeaders: string[];
  /** The signature recomputed from the received request with the expected credentials matches. */
  valid: boolean;
}

/** Recomputes a received request's SigV4 signature with the credentials the fake expects. */
export async function checkSigV4(
  req: ReceivedRequest,
  credentials: { accessKeyId: string; secretAccessKey: string; sessionToken?: string },
  region: string,
  service = 'bedrock',
): Promise<SigV4Check | undefined> {
  const authorization = String(req.headers.authorization ?? '');
  const match = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\S+), SignedHeaders=(\S+), Signature=([0-9a-f]+)$/.exec(authorization);
  if (!match) return undefined;
  const [, accessKeyId, scope, signedHeaderList, signature] = match;
  const signedHeaders = signedHeaderList!.split(';');
  const headers: Record<string, string> = {};
  for (const name of signedHeaders) headers[name] = String(req.headers[name] ?? '');
  const amzDate = String(req.headers['x-amz-date'] ?? '');
  const signingDate = new Date(
    `${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`,
  );
  const [host, port] = headers.host!.split(':');
  const signer = new SignatureV4({ service, region, credentials, sha256: Sha256 });
  const resigned = await signer.sign(
    {
      method: req.method,
      protocol: 'http:',
      hostname: host!,
      ...(port ? { port: Number(port) } : {}),
      path: req.path,
      query: Object.fromEntries(req.query),
      headers,
      body: req.body,
    },
    { signingDate },
  );
  const expected = /Signature=([0-9a-f]+)$/.exec(String(resigned.headers.authorization))?.[1];
  // As AWS does: the signed payload hash must be the hash of the body that arrived.
  const payloadHash = req.headers['x-amz-content-sha256'];
  const payloadMatches = payloadHash === undefined || payloadHash === createHash('sha256').update(req.body).digest('hex');
  return { accessKeyId: accessKeyId!, scope: scope!, signedHeaders, valid: expected === signature && payloadMatches };
}
