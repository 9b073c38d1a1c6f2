import { tokenUsageFromOpenAi } from '../../../providers/openai/usage.ts';
import type { StreamDecoder, StreamPart } from '../../neutral.ts';
import { parseJson, SseReader } from '../sse-reader.ts';
import { openAiFinishReason, reasoningOf } from './response.ts';

interface ChunkToolCall {
  index?: unknown;
  id?: unknown;
  function?: { name?: unknown; arguments?: unknown };
}

/** Reads a Chat Completions stream (`data:` chunks, then `[DONE]`) into neutral parts. */
export function openAiChatStream(): StreamDecoder {
  const sse = new SseReader();
  const started = new Set<number>();
  let done = false;
  let failure: string | undefined;
  let first = true;

  const read = (data: Record<string, unknown>): StreamPart[] => {
    const error = data.error as { message?: unknown } | undefined;
    if (error) {
      failure = typeof error.message === 'string' ? error.message : JSON.stringify(error);
      return [];
    }
    const parts: StreamPart[] = [];
    if (first) {
      first = false;
      parts.push({ type: 'meta', id: typeof data.id === 'string' ? data.id : undefined, model: typeof data.model === 'string' ? data.model : undefined });
    }
    const choice = (data.choices as Array<{ delta?: Record<string, unknown>; finish_reason?: unknown }> | undefined)?.[0];
    const delta = choice?.delta;
    const reasoning = reasoningOf(delta);
    if (reasoning !== '') parts.push({ type: 'reasoning', text: reasoning });
    if (typeof delta?.content === 'string' && delta.content !== '') parts.push({ type: 'text', text: delta.content });
    for (const call of (delta?.tool_calls as ChunkToolCall[] | undefined) ?? []) {
      const index = typeof call.index === 'number' ? call.index : 0;
      if (!started.has(index)) {
        started.add(index);
        parts.push({ type: 'tool-start', index, id: String(call.id ?? ''), name: String(call.function?.name ?? '') });
      }
      const args = call.function?.arguments;
      if (typeof args === 'string' && args !== '') parts.push({ type: 'tool-args', index, text: args });
    }
    if (choice?.finish_reason !== undefined && choice.finish_reason !== null) parts.push({ type: 'finish', reason: openAiFinishReason(choice.finish_reason) });
    const usage = tokenUsageFromOpenAi(data.usage);
    if (usage) parts.push({ type: 'usage', usage });
    return parts;
  };

  const readAll = (events: ReturnType<SseReader['push']>) =>
    events.flatMap((event) => {
      if (event.data === '[DONE]') {
        done = true;
        return [];
      }
      const data = parseJson(event.data);
      return data ? read(data) : [];
    });

  return {
    push: (chunk) => readAll(sse.push(chunk)),
    end: () => readAll(sse.end()),
    completed: () => done && failure === undefined,
    failure: () => failure,
  };
}
