import type { Message } from '@smithy/types';
import { fromUtf8 } from '@smithy/util-utf8';
import { parseMaybeJson, type BlockedCall, type StreamGuard, type ToolCallJudge, type ToolCallView } from '../../security/tool-view.ts';
import { eventStreamCodec } from './event-stream-codec.ts';

interface HeldToolUse {
  id: string;
  name: string;
  input: string;
}

interface Frame {
  bytes: Buffer;
  messageType?: string;
  eventType?: string;
  body?: Record<string, unknown>;
}

function header(message: Message, name: string): string | undefined {
  const value = message.headers[name]?.value;
  return typeof value === 'string' ? value : undefined;
}

function readFrame(bytes: Buffer, withBody: (eventType: string | undefined) => boolean): Frame {
  let message: Message;
  try {
    message = eventStreamCodec.decode(bytes);
  } catch {
    // The stream observer has already refused a malformed frame; this one is passed on as it is.
    return { bytes };
  }
  const frame: Frame = { bytes, messageType: header(message, ':message-type'), eventType: header(message, ':event-type') };
  if (withBody(frame.eventType)) {
    try {
      const body: unknown = JSON.parse(Buffer.from(message.body).toString('utf8'));
      if (body !== null && typeof body === 'object') frame.body = body as Record<string, unknown>;
    } catch {
      // not JSON: nothing to read
    }
  }
  return frame;
}

/** An event frame as Bedrock sends one. */
export function eventFrame(eventType: string, payload: Record<string, unknown>): Buffer {
  return Buffer.from(
    eventStreamCodec.encode({
      headers: {
        ':event-type': { type: 'string', value: eventType },
        ':content-type': { type: 'string', value: 'application/json' },
        ':message-type': { type: 'string', value: 'event' },
      },
      body: fromUtf8(JSON.stringify(payload)),
    }),
  );
}

/**
 * The keep-alive: an event whose type is no member of the ConverseStream union. The AWS SDK for
 * JavaScript v3 deserializes such an event as `$unknown` and skips it (@smithy/core event-streams:
 * getMessageUnmarshaller returns nothing for it), so the client's iterator never sees it, while
 * the bytes on the wire keep the connection's idle timers quiet. (botocore yields it as an empty
 * event; the Java SDK as an unknown one.)
 */
const KEEP_ALIVE_FRAME = eventFrame('sluiceKeepAlive', {});

function toolUseStart(body: Record<string, unknown> | undefined): { index: number; id: string; name: string } | undefined {
  const start = body?.start as { toolUse?: { toolUseId?: unknown; name?: unknown } } | undefined;
  const toolUse = start?.toolUse;
  if (!toolUse || typeof toolUse.name !== 'string') return undefined;
  return {
    index: typeof body!.contentBlockIndex === 'number' ? body!.contentBlockIndex : 0,
    id: typeof toolUse.toolUseId === 'string' ? toolUse.toolUseId : '',
    name: toolUse.name,
  };
}

function view(call: HeldToolUse): ToolCallView {
  return { id: call.id, name: call.name, arguments: call.input === '' ? {} : parseMaybeJson(call.input) };
}

/**
 * ConverseStream (an AWS event stream): once a `contentBlockStart` opens a toolUse that some
 * policy could block, that frame and every later one are held until `messageStop`, when the calls
 * are judged. The held frames then go out byte for byte, or are replaced by a text block with the
 * refusal (`contentBlockDelta` and `contentBlockStop`: text blocks have no start event) and a
 * `messageStop` whose stop reason is `end_turn` (`tool_use` when a call went out before the hold).
 */
export function guardConverseStream(
  judge: ToolCallJudge,
  onBlocked: (blocked: BlockedCall[]) => void,
  refusal: (blocked: BlockedCall[]) => string,
): StreamGuard {
  let pending: Buffer | undefined;
  let holding = false;
  let released = false;
  let firstIndex = 0;
  const held: Buffer[] = [];
  const calls = new Map<number, HeldToolUse>();

  const settle = (stop: Frame | undefined): Buffer => {
    holding = false;
    const heldFrames = held.splice(0);
    const blocked = [...calls.values()]
      .map((call) => ({ call: view(call), verdict: judge.judge(view(call)) }))
      .filter((entry) => !entry.verdict.allowed);
    calls.clear();
    if (blocked.length === 0) return Buffer.concat(stop ? [...heldFrames, stop.bytes] : heldFrames);
    onBlocked(blocked);
    const frames = [
      eventFrame('contentBlockDelta', { contentBlockIndex: firstIndex, delta: { text: refusal(blocked) } }),
      eventFrame('contentBlockStop', { contentBlockIndex: firstIndex }),
    ];
    if (stop) frames.push(eventFrame('messageStop', { ...stop.body, stopReason: released ? 'tool_use' : 'end_turn' }));
    return Buffer.concat(frames);
  };

  const take = (bytes: Buffer): Buffer | undefined => {
    const frame = readFrame(bytes, (type) => holding || type === 'contentBlockStart');
    if (frame.messageType !== undefined && frame.messageType !== 'event') {
      // An exception ends the stream: what is held is judged first, then the exception follows.
      return holding ? Buffer.concat([settle(undefined), bytes]) : bytes;
    }
    const start = frame.eventType === 'contentBlockStart' ? toolUseStart(frame.body) : undefined;
    if (!holding) {
      if (!start) return bytes;
      if (!judge.mayBlock(start.name)) {
        released = true;
        return bytes;
      }
      holding = true;
      firstIndex = start.index;
    }
    if (start) calls.set(start.index, { id: start.id, name: start.name, input: '' });
    if (frame.eventType === 'contentBlockDelta') {
      const index = typeof frame.body?.contentBlockIndex === 'number' ? frame.body.contentBlockIndex : 0;
      const input = (frame.body?.delta as { toolUse?: { input?: unknown } } | undefined)?.toolUse?.input;
      const call = calls.get(index);
      if (call && typeof input === 'string') call.input += input;
    }
    if (frame.eventType === 'messageStop') return settle(frame);
    held.push(bytes);
    return undefined;
  };

  return {
    push(chunk) {
      const data = pending ? Buffer.concat([pending, chunk]) : chunk;
      const out: Buffer[] = [];
      let offset = 0;
      while (data.length - offset >= 4) {
        const total = data.readUInt32BE(offset);
        if (total < 16 || data.length - offset < total) break;
        const forwarded = take(data.subarray(offset, offset + total));
        if (forwarded) out.push(forwarded);
        offset += total;
      }
      pending = offset < data.length ? data.subarray(offset) : undefined;
      return out.length === 0 ? undefined : out.length === 1 ? out[0] : Buffer.concat(out);
    },
    end() {
      if (!holding) return undefined;
      const settled = settle(undefined);
      return settled.byteLength > 0 ? settled : undefined;
    },
    holding: () => holding,
    keepAlive: () => KEEP_ALIVE_FRAME,
  };
}
