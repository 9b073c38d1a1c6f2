import type { StreamDecoder, StreamPart } from '../../neutral.ts';
import { readJsonEvents, SseReader } from '../sse-reader.ts';
import { tokenUsageFromCohere } from '../../../providers/cohere/usage.ts';
import { cohereFinishReason } from './response.ts';

type Delta = { message?: Record<string, unknown>; finish_reason?: unknown; usage?: unknown; error?: unknown };

/**
 * Reads a Cohere v2 chat stream: content (text or thinking), the tool plan, tool calls, and the
 * `message-end` that carries finish reason and usage. A finish reason of ERROR is a failure.
 */
export function cohereStream(): StreamDecoder {
  const sse = new SseReader();
  const toolIndexOf = new Map<number, number>();
  let done = false;
  let failure: string | undefined;

  const read = (name: string | undefined, data: Record<string, unknown>): StreamPart[] => {
    const delta = (data.delta ?? {}) as Delta;
    const message = delta.message ?? {};
    switch (name ?? data.type) {
      case 'message-start':
        return [{ type: 'meta', id: typeof data.id === 'string' ? data.id : undefined }];
      case 'content-start':
      case 'content-delta': {
        const content = (message.content ?? {}) as { text?: unknown; thinking?: unknown };
        if (typeof content.thinking === 'string' && content.thinking !== '') return [{ type: 'reasoning', text: content.thinking }];
        if (typeof content.text === 'string' && content.text !== '') return [{ type: 'text', text: content.text }];
        return [];
      }
      case 'tool-plan-delta':
        return typeof message.tool_plan === 'string' && message.tool_plan !== '' ? [{ type: 'text', text: message.tool_plan }] : [];
      case 'tool-call-start': {
        const call = (message.tool_calls ?? {}) as { id?: unknown; function?: { name?: unknown; arguments?: unknown } };
        const index = toolIndexOf.size;
        toolIndexOf.set(Number(data.index), index);
        const parts: StreamPart[] = [{ type: 'tool-start', index, id: String(call.id), name: String(call.function?.name) }];
        const args = call.function?.arguments;
        if (typeof args === 'string' && args !== '') parts.push({ type: 'tool-args', index, text: args });
        return parts;
      }
      case 'tool-call-delta': {
        const args = ((message.tool_calls ?? {}) as { function?: { arguments?: unknown } }).function?.arguments;
        const index = toolIndexOf.get(Number(data.index));
        return typeof args === 'string' && args !== '' && index !== undefined ? [{ type: 'tool-args', index, text: args }] : [];
      }
      case 'message-end': {
        if (delta.finish_reason === 'ERROR') {
          failure = typeof delta.error === 'string' && delta.error !== '' ? delta.error : 'The generation failed (ERROR).';
          return [];
        }
        done = true;
        const parts: StreamPart[] = [{ type: 'finish', reason: cohereFinishReason(delta.finish_reason) }];
        const usage = tokenUsageFromCohere(delta.usage);
        if (usage) parts.push({ type: 'usage', usage });
        return parts;
      }
      default:
        return [];
    }
  };

  const readAll = (events: ReturnType<SseReader['push']>) => readJsonEvents(events, (data, event) => read(event.event, data));

  return {
    push: (chunk) => readAll(sse.push(chunk)),
    end: () => readAll(sse.end()),
    completed: () => done,
    failure: () => failure,
  };
}
