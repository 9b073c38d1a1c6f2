import { EventStreamCodec } from '@smithy/eventstream-codec';
import type { Message } from '@smithy/types';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';
import { SluiceError } from '../../../errors/sluice-error.ts';
import type { TokenUsage } from '../../../interactions/interaction.ts';
import type { StreamDecoder, StreamPart } from '../../neutral.ts';
import { bedrockFinishReason, bedrockUsage } from './response.ts';

const codec = new EventStreamCodec(toUtf8, fromUtf8);
/** Prelude (total length, headers length, prelude CRC) plus message CRC. */
const MIN_FRAME_BYTES = 16;
/** The event stream format's own ceiling for one message. */
const MAX_FRAME_BYTES = 16 * 1024 * 1024;

function header(message: Message, name: string): string | undefined {
  const value = message.headers[name]?.value;
  return typeof value === 'string' ? value : undefined;
}

function body(message: Message): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(Buffer.from(message.body).toString('utf8'));
    return value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/**
 * Reads a ConverseStream answer (`application/vnd.amazon.eventstream`). Frames are cut out by
 * their length prelude and decoded, CRCs checked, by @smithy/eventstream-codec. `messageStop`
 * gives the stop reason, `metadata` the usage; an `exception` frame is the upstream's failure.
 */
export function bedrockStream(): StreamDecoder {
  let pending: Buffer | undefined;
  const toolIndexOfBlock = new Map<number, number>();
  let stopped = false;
  let usage: TokenUsage | undefined;
  let failure: string | undefined;
  let started = false;

  const read = (message: Message): StreamPart[] => {
    const type = header(message, ':message-type');
    if (type === 'exception' || type === 'error') {
      const name = header(message, ':exception-type') ?? header(message, ':error-code') ?? 'error';
      const text = header(message, ':error-message') ?? body(message).message;
      failure = `${name}: ${typeof text === 'string' ? text : 'no message'}`;
      return [];
    }
    const data = body(message);
    switch (header(message, ':event-type')) {
      case 'messageStart':
        started = true;
        return [{ type: 'meta' }];
      case 'contentBlockStart': {
        const toolUse = (data.start as { toolUse?: { toolUseId?: unknown; name?: unknown } } | undefined)?.toolUse;
        if (!toolUse) return [];
        const index = toolIndexOfBlock.size;
        toolIndexOfBlock.set(Number(data.contentBlockIndex), index);
        return [{ type: 'tool-start', index, id: String(toolUse.toolUseId), name: String(toolUse.name) }];
      }
      case 'contentBlockDelta': {
        const delta = data.delta as { text?: unknown; toolUse?: { input?: unknown }; reasoningContent?: { text?: unknown } } | undefined;
        if (typeof delta?.text === 'string' && delta.text !== '') return [{ type: 'text', text: delta.text }];
        if (typeof delta?.reasoningContent?.text === 'string') return [{ type: 'reasoning', text: delta.reasoningContent.text }];
        const input = delta?.toolUse?.input;
        const index = toolIndexOfBlock.get(Number(data.contentBlockIndex));
        if (typeof input === 'string' && input !== '' && index !== undefined) return [{ type: 'tool-args', index, text: input }];
        return [];
      }
      case 'messageStop':
        stopped = true;
        return [{ type: 'finish', reason: bedrockFinishReason(data.stopReason) }];
      case 'metadata':
        usage = bedrockUsage(data.usage) ?? usage;
        return [];
      default:
        return [];
    }
  };

  return {
    push(chunk) {
      const data = pending ? Buffer.concat([pending, chunk]) : chunk;
      const parts: StreamPart[] = [];
      let offset = 0;
      while (data.length - offset >= 4) {
        const total = data.readUInt32BE(offset);
        if (total < MIN_FRAME_BYTES || total > MAX_FRAME_BYTES) {
          throw new SluiceError('upstream_error', `The upstream sent an event stream frame of ${total} bytes.`, { code: 'malformed_event_stream' });
        }
        if (data.length - offset < total) break;
        let message: Message;
        try {
          message = codec.decode(data.subarray(offset, offset + total));
        } catch (error) {
          throw new SluiceError('upstream_error', 'The upstream sent a malformed event stream frame.', { code: 'malformed_event_stream', cause: error });
        }
        parts.push(...read(message));
        offset += total;
      }
      pending = offset < data.length ? Buffer.from(data.subarray(offset)) : undefined;
      return parts;
    },
    end: () => (stopped && usage ? [{ type: 'usage', usage }] : []),
    completed: () => started && stopped && pending === undefined && failure === undefined,
    failure: () => failure,
  };
}
