import type { Message } from '@smithy/types';
import { SluiceError } from '../../errors/sluice-error.ts';
import type { ResponseSummary, StreamObserver } from '../types.ts';
import { eventStreamCodec } from './event-stream-codec.ts';
import { tokenUsageFromBedrock } from './usage.ts';

/** Prelude (total length, headers length, prelude CRC) plus message CRC. */
const MIN_FRAME_BYTES = 16;
/** The event stream format's own ceiling for one message. */
const MAX_FRAME_BYTES = 16 * 1024 * 1024;

function header(message: Message, name: string): string | undefined {
  const value = message.headers[name]?.value;
  return typeof value === 'string' ? value : undefined;
}

function jsonBody(message: Message): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(message.body).toString('utf8'));
    return value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Reads a ConverseStream answer (`application/vnd.amazon.eventstream`) as it passes. Frames are
 * forwarded whole and unchanged, each as soon as its last byte has arrived, so that a stream that
 * breaks can still end with a well-formed exception frame. Every frame is decoded (and its CRCs
 * checked) by @smithy/eventstream-codec: `metadata` gives usage, `contentBlockStart` tool use,
 * `messageStop` the stop reason, and an `exception` frame is the upstream's own error.
 */
export function observeConverseStream(): StreamObserver {
  const summary: ResponseSummary = {};
  let pending: Buffer | undefined;
  let ended = false;
  let failure: string | undefined;

  const read = (frame: Buffer) => {
    let message: Message;
    try {
      message = eventStreamCodec.decode(frame);
    } catch (error) {
      throw new SluiceError('upstream_error', 'The upstream sent a malformed event stream frame.', {
        code: 'malformed_event_stream',
        cause: error,
      });
    }
    const messageType = header(message, ':message-type');
    if (messageType === 'exception' || messageType === 'error') {
      const type = header(message, ':exception-type') ?? header(message, ':error-code') ?? 'error';
      const text = header(message, ':error-message') ?? jsonBody(message)?.message;
      failure = `${type}: ${typeof text === 'string' ? text : 'no message'}`;
      ended = true;
      return;
    }
    const body = jsonBody(message);
    switch (header(message, ':event-type')) {
      case 'contentBlockStart': {
        const toolUse = (body?.start as { toolUse?: { toolUseId?: unknown; name?: unknown } } | undefined)?.toolUse;
        if (toolUse && typeof toolUse.name === 'string') {
          (summary.toolCalls ??= []).push(
            typeof toolUse.toolUseId === 'string' ? { id: toolUse.toolUseId, name: toolUse.name } : { name: toolUse.name },
          );
        }
        break;
      }
      case 'messageStop':
        if (typeof body?.stopReason === 'string') summary.finishReason = body.stopReason;
        ended = true;
        break;
      case 'metadata': {
        const usage = tokenUsageFromBedrock(body?.usage);
        if (usage) summary.usage = usage;
        ended = true;
        break;
      }
    }
  };

  let broken: SluiceError | undefined;

  return {
    push(chunk) {
      if (broken) return undefined;
      const data = pending ? Buffer.concat([pending, chunk]) : chunk;
      let offset = 0;
      try {
        while (data.length - offset >= 4) {
          const total = data.readUInt32BE(offset);
          if (total < MIN_FRAME_BYTES || total > MAX_FRAME_BYTES) {
            throw new SluiceError('upstream_error', `The upstream sent an event stream frame of ${total} bytes.`, {
              code: 'malformed_event_stream',
            });
          }
          if (data.length - offset < total) break;
          read(data.subarray(offset, offset + total));
          offset += total;
        }
      } catch (error) {
        // The frames before the bad one still go to the client; the bad one and the rest do not.
        broken = error as SluiceError;
        pending = undefined;
        return offset === 0 ? undefined : data.subarray(0, offset);
      }
      pending = offset < data.length ? data.subarray(offset) : undefined;
      if (offset === 0) return undefined;
      return offset === data.length ? data : data.subarray(0, offset);
    },
    broken: () => broken,
    // A partial last frame is dropped: forwarding it would corrupt the exception frame that follows.
    end: () => undefined,
    summary: () => summary,
    completed: () => ended && pending === undefined,
    atEventBoundary: () => true,
    upstreamFailure: () => failure,
  };
}

/** A complete Converse answer (JSON). */
export function summarizeConverse(body: Buffer): ResponseSummary {
  try {
    const json = JSON.parse(body.toString('utf8')) as {
      usage?: unknown;
      stopReason?: unknown;
      output?: { message?: { content?: Array<{ toolUse?: { toolUseId?: unknown; name?: unknown } | null } | null> } };
    };
    const summary: ResponseSummary = {};
    const usage = tokenUsageFromBedrock(json.usage);
    if (usage) summary.usage = usage;
    if (typeof json.stopReason === 'string') summary.finishReason = json.stopReason;
    for (const block of json.output?.message?.content ?? []) {
      const toolUse = block?.toolUse;
      if (!toolUse || typeof toolUse.name !== 'string') continue;
      (summary.toolCalls ??= []).push(
        typeof toolUse.toolUseId === 'string' ? { id: toolUse.toolUseId, name: toolUse.name } : { name: toolUse.name },
      );
    }
    return summary;
  } catch {
    return {};
  }
}
