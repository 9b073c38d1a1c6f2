import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { converseStreamFrames, eventFrame } from './bedrock-upstream.ts';
import { FakeServer, sleep, type ReceivedRequest } from './fake-server.ts';

/*
 * Upstreams that fail in the ways real ones do, for every stream format Sluice reads. One fake
 * serves every family under its own first path segment (`/openai/…`, `/anthropic/…`, …); the
 * fault and a case id come in request headers that Sluice forwards like any other client header.
 */

export const FAULT_HEADER = 'x-fault';
export const FAULT_CASE_HEADER = 'x-fault-case';

export const faults = [
  /** The connection is destroyed as soon as the request has arrived: no status line. */
  'reset-before-headers',
  /** The request is read and never answered: the first-byte timeout. */
  'no-headers',
  /** A 200 and a few events, then the connection is destroyed. */
  'reset-mid-stream',
  /** A 200 and a few events, then nothing, the connection held open: the idle timeout. */
  'stall',
  /** A 200, a few events, then bytes the format cannot read, then a clean end. */
  'malformed',
  /** A 200 and content events forever, each well within the idle timeout: the total timeout. */
  'never-ends',
  /** The whole valid stream, a few bytes at a time. */
  'trickle',
  /** A non-streaming request answered 200 `application/json` with a body that is not JSON. */
  'invalid-json',
  /** A non-streaming request answered 200 `application/json`, half its body, then the connection destroyed. */
  'reset-mid-answer',
] as const;
/** The faults a non-streaming request meets (the others are streams'). */
export const wholeAnswerFaults: readonly Fault[] = ['invalid-json', 'reset-mid-answer'];
export type Fault = (typeof faults)[number];
/** What the fake does for one request: a fault, or (`ok`) the whole valid stream at once, kept alive. */
export type Behaviour = Fault | 'ok';

/** Bytes of one stream format: a complete valid stream as its events, and what can break it. */
export interface StreamFormat {
  name: string;
  /** The family's path segment on the fake. */
  family: string;
  contentType: string;
  /** The complete stream, event by event (frame by frame). */
  events: Buffer[];
  /** How many events make the head sent before a fault (start and some content). */
  head: number;
  /** One more content event, for a stream that never ends. */
  more: Buffer;
  /** Bytes this format cannot read. */
  junk: Buffer;
  /** The bytes after the head that make the rest of the stream (a JSON array's elements need their comma). */
  separator?: Buffer;
}

const sse = (data: unknown, event?: string, eol = '\n') =>
  Buffer.from(`${event ? `event: ${event}${eol}` : ''}data: ${typeof data === 'string' ? data : JSON.stringify(data)}${eol}${eol}`);

const HTML_502 = '<html><body><h1>502 Bad Gateway</h1></body></html>';

function openAiFormat(): StreamFormat {
  const base = { id: 'chatcmpl-fault', object: 'chat.completion.chunk', created: 1, model: 'gpt-4o-mini-2024-07-18' };
  const delta = (d: unknown, finish: string | null = null) => sse({ ...base, choices: [{ index: 0, delta: d, finish_reason: finish }] });
  return {
    name: 'OpenAI chat SSE',
    family: 'openai',
    contentType: 'text/event-stream; charset=utf-8',
    events: [
      delta({ role: 'assistant', content: '' }),
      delta({ content: 'Hello ' }),
      delta({ content: 'from the ' }),
      delta({ content: 'faulty upstream.' }),
      delta({}, 'stop'),
      sse({ ...base, choices: [], usage: { prompt_tokens: 12, completion_tokens: 7, total_tokens: 19 } }),
      sse('[DONE]'),
    ],
    head: 3,
    more: delta({ content: 'more ' }),
    junk: Buffer.from(`data: {"choices":[{"delta":{"content":"tru\u0000${HTML_502}`),
  };
}

function anthropicFormat(): StreamFormat {
  const event = (type: string, data: Record<string, unknown>) => sse({ type, ...data }, type);
  const text = (t: string) => event('content_block_delta', { index: 0, delta: { type: 'text_delta', text: t } });
  return {
    name: 'Anthropic SSE',
    family: 'anthropic',
    contentType: 'text/event-stream; charset=utf-8',
    events: [
      event('message_start', {
        message: { id: 'msg_fault', type: 'message', role: 'assistant', model: 'claude-sonnet-4-20250514', content: [], stop_reason: null, usage: { input_tokens: 21, output_tokens: 1 } },
      }),
      event('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }),
      text('Hello '),
      text('from the faulty upstream.'),
      event('content_block_stop', { index: 0 }),
      event('message_delta', { delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 9 } }),
      event('message_stop', {}),
    ],
    head: 3,
    more: text('more '),
    junk: Buffer.from(`event: content_block_delta\ndata: {"type":"content_block_delta","delta":{"text":"\u0000${HTML_502}`),
  };
}

function geminiChunk(text: string, final: boolean) {
  return {
    candidates: [{ content: { parts: [{ text }], role: 'model' }, ...(final ? { finishReason: 'STOP' } : {}), index: 0 }],
    usageMetadata: { promptTokenCount: 11, ...(final ? { candidatesTokenCount: 6 } : {}), totalTokenCount: final ? 17 : 11 },
    modelVersion: 'gemini-2.5-flash-001',
  };
}

function geminiSseFormat(): StreamFormat {
  const chunk = (text: string, final = false) => sse(geminiChunk(text, final), undefined, '\r\n');
  return {
    name: 'Gemini SSE (alt=sse)',
    family: 'gemini',
    contentType: 'text/event-stream',
    events: [chunk('Hello '), chunk('from the '), chunk('faulty upstream.', true)],
    head: 2,
    more: chunk('more '),
    junk: Buffer.from(`data: {"candidates":[{"content":{"parts":[{"text":"\u0000${HTML_502}`),
  };
}

function geminiArrayFormat(): StreamFormat {
  const element = (text: string, final = false) => JSON.stringify(geminiChunk(text, final), null, 2);
  return {
    name: 'Gemini JSON array',
    family: 'gemini',
    contentType: 'application/json; charset=UTF-8',
    events: [Buffer.from(`[${element('Hello ')}`), Buffer.from(`\n,\r\n${element('from the ')}`), Buffer.from(`\n,\r\n${element('faulty upstream.', true)}`), Buffer.from('\n]')],
    head: 2,
    more: Buffer.from(`\n,\r\n${element('more ')}`),
    junk: Buffer.from(`\n,\r\n{"candidates": [\u0000${HTML_502}`),
  };
}

function bedrockFormat(): StreamFormat {
  const frames = converseStreamFrames({ content: 'Hello from the faulty upstream.', chunks: 3 }).map((frame) => Buffer.from(frame));
  // A frame whose message CRC no longer matches its bytes.
  const corrupt = Buffer.from(eventFrame('contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'corrupted' } }));
  corrupt[corrupt.length - 6]! ^= 0xff;
  return {
    name: 'Bedrock event stream',
    family: 'bedrock',
    contentType: 'application/vnd.amazon.eventstream',
    events: frames,
    head: 3,
    more: Buffer.from(eventFrame('contentBlockDelta', { contentBlockIndex: 0, delta: { text: 'more ' } })),
    junk: corrupt,
  };
}

function cohereV2Format(): StreamFormat {
  const event = (type: string, data: Record<string, unknown> = {}) => sse({ type, ...data }, type);
  const text = (t: string) => event('content-delta', { index: 0, delta: { message: { content: { text: t } } } });
  return {
    name: 'Cohere v2 SSE',
    family: 'cohere',
    contentType: 'text/event-stream',
    events: [
      event('message-start', { id: 'c-fault', delta: { message: { role: 'assistant', content: [], tool_plan: '', tool_calls: [], citations: [] } } }),
      event('content-start', { index: 0, delta: { message: { content: { type: 'text', text: '' } } } }),
      text('Hello '),
      text('from the faulty upstream.'),
      event('content-end', { index: 0 }),
      event('message-end', { delta: { finish_reason: 'COMPLETE', usage: { billed_units: { input_tokens: 8, output_tokens: 6 }, tokens: { input_tokens: 74, output_tokens: 6 } } } }),
    ],
    head: 3,
    more: text('more '),
    junk: Buffer.from(`event: content-delta\ndata: {"type":"content-delta","delta":\u0000${HTML_502}`),
  };
}

function cohereV1Format(): StreamFormat {
  const line = (data: unknown) => Buffer.from(`${JSON.stringify(data)}\n`);
  const text = (t: string) => line({ is_finished: false, event_type: 'text-generation', text: t });
  return {
    name: 'Cohere v1 NDJSON',
    family: 'cohere',
    contentType: 'application/stream+json',
    events: [
      line({ is_finished: false, event_type: 'stream-start', generation_id: 'g-fault' }),
      text('Hello '),
      text('from the faulty upstream.'),
      line({
        is_finished: true,
        event_type: 'stream-end',
        finish_reason: 'COMPLETE',
        response: { text: 'Hello from the faulty upstream.', finish_reason: 'COMPLETE', meta: { billed_units: { input_tokens: 8, output_tokens: 6 } } },
      }),
    ],
    head: 2,
    more: text('more '),
    junk: Buffer.from(`{"is_finished":false,"event_type":"text-gen\u0000${HTML_502}`),
  };
}

export const streamFormats = {
  openai: openAiFormat(),
  anthropic: anthropicFormat(),
  geminiSse: geminiSseFormat(),
  geminiArray: geminiArrayFormat(),
  bedrock: bedrockFormat(),
  cohereV2: cohereV2Format(),
  cohereV1: cohereV1Format(),
} satisfies Record<string, StreamFormat>;
export type FormatName = keyof typeof streamFormats;

/** Which format a request to the fake expects, from its family and path. */
function formatOf(family: string, req: ReceivedRequest): StreamFormat | undefined {
  switch (family) {
    case 'openai':
      return streamFormats.openai;
    case 'anthropic':
      return streamFormats.anthropic;
    case 'gemini':
      return req.query.get('alt') === 'sse' ? streamFormats.geminiSse : streamFormats.geminiArray;
    case 'bedrock':
      return streamFormats.bedrock;
    case 'cohere':
      return req.path.endsWith('/v1/chat') ? streamFormats.cohereV1 : streamFormats.cohereV2;
    default:
      return undefined;
  }
}

/** Resolves once the bytes are handed to the socket (or the socket is gone). */
function write(res: ServerResponse, bytes: Buffer): Promise<void> {
  return new Promise((resolve) => {
    if (res.destroyed) return resolve();
    res.write(bytes, () => resolve());
  });
}

async function answer(fault: Behaviour, format: StreamFormat, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const gone = new Promise<void>((resolve) => res.once('close', () => resolve()));
  const head = () => {
    res.writeHead(200, { 'content-type': format.contentType, 'x-fault': fault });
    return write(res, Buffer.concat(format.events.slice(0, format.head)));
  };
  switch (fault) {
    case 'ok':
      res.writeHead(200, { 'content-type': format.contentType });
      res.end(Buffer.concat(format.events));
      return;
    case 'reset-before-headers':
      req.socket.destroy();
      return;
    case 'no-headers':
      return gone;
    case 'reset-mid-stream':
      await head();
      await sleep(20);
      req.socket.destroy();
      return;
    case 'stall':
      await head();
      return gone;
    case 'malformed':
      await head();
      await write(res, format.junk);
      res.end();
      return;
    case 'never-ends': {
      await head();
      let open = true;
      void gone.then(() => (open = false));
      while (open) {
        await write(res, format.more);
        await sleep(40);
      }
      return;
    }
    case 'trickle': {
      // `connection: close`: once the answer is complete, the socket closes, and the test sees it.
      res.writeHead(200, { 'content-type': format.contentType, connection: 'close' });
      const bytes = Buffer.concat(format.events);
      for (let at = 0; at < bytes.length && !res.destroyed; at += 7) {
        await write(res, bytes.subarray(at, at + 7));
        await sleep(2);
      }
      res.end();
      return;
    }
    case 'invalid-json':
      res.writeHead(200, { 'content-type': 'application/json', connection: 'close' });
      res.end('{"id":"x","choices":[{"message":{"content":"Hello');
      return;
    case 'reset-mid-answer':
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '200' });
      await write(res, Buffer.from('{"id":"x","choices":[{"message":{"content":"Hello'));
      await sleep(20);
      req.socket.destroy();
      return;
  }
}

/**
 * A fake upstream that fails as each request's `x-fault` header says, and knows, per case, the
 * socket that carried it: a test waits for that socket to close to know the connection was released.
 */
export class FaultyUpstream {
  readonly server: FakeServer;
  private readonly sockets = new Map<string, Socket>();

  constructor() {
    this.server = new FakeServer(
      async (req, res, raw) => {
        const caseId = req.headers[FAULT_CASE_HEADER];
        if (typeof caseId === 'string') this.sockets.set(caseId, raw.socket);
        const [, family = '', ...rest] = req.path.split('/');
        const format = formatOf(family, { ...req, path: `/${rest.join('/')}` });
        const fault = req.headers[FAULT_HEADER] as Behaviour | undefined;
        if (!format || !fault || !(fault === 'ok' || faults.includes(fault))) {
          res.writeHead(400, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ message: `no fault for ${req.path}` }));
          return;
        }
        await answer(fault, format, raw, res);
      },
      { record: false },
    );
  }

  async start(): Promise<this> {
    await this.server.start();
    return this;
  }

  url(family: string): string {
    return `${this.server.url}/${family}`;
  }

  /**
   * Resolves once the upstream connection of a case is closed; false if it is still open after
   * `boundMs`. A stream that ended cleanly at the HTTP level (a `malformed` one) leaves its
   * connection in the gateway's keep-alive pool, which Node closes a second before the fake's
   * advertised keep-alive timeout (5 s), so about 4 s after the answer: the bound leaves room for
   * that on a loaded machine (it is a bound, not a timing assertion).
   */
  async released(caseId: string, boundMs = 15_000): Promise<boolean> {
    const deadline = Date.now() + boundMs;
    for (;;) {
      const socket = this.sockets.get(caseId);
      if (socket?.closed) {
        this.sockets.delete(caseId);
        return true;
      }
      if (Date.now() > deadline) return false;
      await sleep(10);
    }
  }

  get openConnections(): number {
    return this.server.openConnections;
  }

  close(): Promise<void> {
    return this.server.close();
  }
}
