import { EventStreamCodec } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';
import type { FormatName } from '../../fakes/faults.ts';

/** How a relayed stream ends, read as its client would: the format's end marker, an error event, or neither. */
export type StreamEnd = { kind: 'complete' } | { kind: 'error'; message: string } | { kind: 'none' };

const codec = new EventStreamCodec(toUtf8, fromUtf8);

function sseEvents(text: string): Array<{ event?: string; data: string }> {
  return text
    .split(/\r?\n\r?\n/)
    .filter((block) => block.trim() !== '')
    .map((block) => {
      const lines = block.split(/\r?\n/);
      const event = lines.find((l) => l.startsWith('event:'))?.slice(6).trim();
      const data = lines.filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trim()).join('\n');
      return { event, data };
    });
}

function json(text: string | undefined): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text ?? '');
    return value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function errorMessage(error: unknown): string | undefined {
  const message = (error as { message?: unknown } | undefined)?.message;
  return typeof message === 'string' ? message : undefined;
}

/** Reads the end of a stream in the given format. */
export function streamEnd(format: FormatName, body: Buffer): StreamEnd {
  const text = body.toString('utf8');
  switch (format) {
    case 'openai': {
      const last = sseEvents(text).at(-1);
      if (last?.data === '[DONE]') return { kind: 'complete' };
      const message = errorMessage(json(last?.data)?.error);
      return message ? { kind: 'error', message } : { kind: 'none' };
    }
    case 'anthropic': {
      const last = sseEvents(text).at(-1);
      if (last?.event === 'message_stop') return { kind: 'complete' };
      const data = json(last?.data);
      const message = last?.event === 'error' && data?.type === 'error' ? errorMessage(data.error) : undefined;
      return message ? { kind: 'error', message } : { kind: 'none' };
    }
    case 'geminiSse': {
      const data = json(sseEvents(text).at(-1)?.data);
      const error = data?.error as { code?: unknown; message?: unknown } | undefined;
      if (typeof error?.code === 'number' && typeof error.message === 'string') return { kind: 'error', message: error.message };
      const finish = (data?.candidates as Array<{ finishReason?: unknown }> | undefined)?.[0]?.finishReason;
      return typeof finish === 'string' ? { kind: 'complete' } : { kind: 'none' };
    }
    case 'geminiArray': {
      const array = (() => {
        try {
          return JSON.parse(text) as unknown;
        } catch {
          return undefined;
        }
      })();
      if (!Array.isArray(array)) return { kind: 'none' };
      const message = errorMessage((array.at(-1) as { error?: unknown } | undefined)?.error);
      return message ? { kind: 'error', message } : { kind: 'complete' };
    }
    case 'bedrock': {
      let offset = 0;
      let last: ReturnType<typeof codec.decode> | undefined;
      while (offset + 4 <= body.length) {
        const length = body.readUInt32BE(offset);
        if (offset + length > body.length) return { kind: 'none' };
        last = codec.decode(body.subarray(offset, offset + length));
        offset += length;
      }
      if (!last || offset !== body.length) return { kind: 'none' };
      const type = last.headers[':message-type']?.value;
      if (type === 'exception') {
        return { kind: 'error', message: `${String(last.headers[':exception-type']?.value)}: ${errorMessage(json(Buffer.from(last.body).toString('utf8')))}` };
      }
      return last.headers[':event-type']?.value === 'metadata' ? { kind: 'complete' } : { kind: 'none' };
    }
    case 'cohereV2': {
      const last = sseEvents(text).at(-1);
      const delta = json(last?.data)?.delta as { finish_reason?: unknown; error?: unknown } | undefined;
      if (last?.event !== 'message-end') return { kind: 'none' };
      return delta?.finish_reason === 'ERROR' ? { kind: 'error', message: String(delta.error) } : { kind: 'complete' };
    }
    case 'cohereV1': {
      const line = json(text.trimEnd().split('\n').at(-1));
      if (line?.event_type !== 'stream-end') return { kind: 'none' };
      return line.finish_reason === 'ERROR' ? { kind: 'error', message: String(line.error) } : { kind: 'complete' };
    }
  }
}
