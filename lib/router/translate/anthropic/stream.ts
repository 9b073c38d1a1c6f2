import type { StreamDecoder, StreamPart } from '../../neutral.ts';
import { readJsonEvents, SseReader } from '../sse-reader.ts';
import { asAnthropicUsage, mergeAnthropicUsage, tokenUsageFromAnthropic, type AnthropicUsage } from '../../../providers/anthropic/usage.ts';
import { anthropicFinishReason } from './response.ts';

/**
 * Reads an Anthropic Messages stream: text, thinking and tool_use blocks become neutral parts;
 * `message_start` and `message_delta` give the usage, `message_stop` ends it, `error` fails it.
 */
export function anthropicStream(): StreamDecoder {
  const sse = new SseReader();
  const toolIndexOfBlock = new Map<number, number>();
  let usage: AnthropicUsage | undefined;
  let done = false;
  let failure: string | undefined;

  const read = (name: string | undefined, data: Record<string, unknown>): StreamPart[] => {
    switch (name ?? data.type) {
      case 'message_start': {
        const message = data.message as { id?: unknown; model?: unknown; usage?: unknown } | undefined;
        const update = asAnthropicUsage(message?.usage);
        if (update) usage = mergeAnthropicUsage(usage, update);
        return [{ type: 'meta', id: typeof message?.id === 'string' ? message.id : undefined, model: typeof message?.model === 'string' ? message.model : undefined }];
      }
      case 'content_block_start': {
        const block = data.content_block as Record<string, unknown> | undefined;
        const index = Number(data.index);
        if (block?.type === 'tool_use') {
          const toolIndex = toolIndexOfBlock.size;
          toolIndexOfBlock.set(index, toolIndex);
          const parts: StreamPart[] = [{ type: 'tool-start', index: toolIndex, id: String(block.id), name: String(block.name) }];
          const input = block.input;
          if (input && typeof input === 'object' && Object.keys(input).length > 0) parts.push({ type: 'tool-args', index: toolIndex, text: JSON.stringify(input) });
          return parts;
        }
        if (block?.type === 'text' && typeof block.text === 'string' && block.text !== '') return [{ type: 'text', text: block.text }];
        return [];
      }
      case 'content_block_delta': {
        const delta = data.delta as Record<string, unknown> | undefined;
        if (delta?.type === 'text_delta' && typeof delta.text === 'string') return [{ type: 'text', text: delta.text }];
        if (delta?.type === 'thinking_delta' && typeof delta.thinking === 'string') return [{ type: 'reasoning', text: delta.thinking }];
        if (delta?.type === 'input_json_delta' && typeof delta.partial_json === 'string') {
          const toolIndex = toolIndexOfBlock.get(Number(data.index));
          return toolIndex === undefined || delta.partial_json === '' ? [] : [{ type: 'tool-args', index: toolIndex, text: delta.partial_json }];
        }
        return [];
      }
      case 'message_delta': {
        const update = asAnthropicUsage(data.usage);
        if (update) usage = mergeAnthropicUsage(usage, update);
        const stop = (data.delta as { stop_reason?: unknown } | undefined)?.stop_reason;
        return stop === undefined || stop === null ? [] : [{ type: 'finish', reason: anthropicFinishReason(stop) }];
      }
      case 'message_stop': {
        done = true;
        const total = tokenUsageFromAnthropic(usage);
        return total ? [{ type: 'usage', usage: total }] : [];
      }
      case 'error': {
        const error = data.error as { type?: unknown; message?: unknown } | undefined;
        failure = `${typeof error?.type === 'string' ? error.type : 'error'}: ${typeof error?.message === 'string' ? error.message : 'no message'}`;
        return [];
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
