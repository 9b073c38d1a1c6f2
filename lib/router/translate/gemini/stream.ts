import type { TokenUsage } from '../../../interactions/interaction.ts';
import type { StreamDecoder, StreamPart } from '../../neutral.ts';
import { readJsonEvents, SseReader } from '../sse-reader.ts';
import { firstCandidate, geminiFinishReason, geminiUsage, toolCallOfPart } from './response.ts';

/**
 * Reads `streamGenerateContent?alt=sse`: each event is a whole GenerateContentResponse. Function
 * calls arrive whole; the finish reason and the final usage come with the last one. An error
 * object in the stream is the upstream's failure.
 */
export function geminiStream(): StreamDecoder {
  const sse = new SseReader();
  let toolCount = 0;
  let usage: TokenUsage | undefined;
  let finished = false;
  let failure: string | undefined;
  let first = true;

  const read = (data: Record<string, unknown>): StreamPart[] => {
    const error = data.error as { status?: unknown; message?: unknown } | undefined;
    if (error) {
      failure = `${typeof error.status === 'string' ? error.status : 'error'}: ${typeof error.message === 'string' ? error.message : 'no message'}`;
      return [];
    }
    const parts: StreamPart[] = [];
    if (first) {
      first = false;
      parts.push({
        type: 'meta',
        id: typeof data.responseId === 'string' ? data.responseId : undefined,
        model: typeof data.modelVersion === 'string' ? data.modelVersion : undefined,
      });
    }
    usage = geminiUsage(data.usageMetadata) ?? usage;
    const candidate = firstCandidate(data);
    for (const part of candidate?.parts ?? []) {
      const call = toolCallOfPart(part);
      if (call) {
        const index = toolCount++;
        parts.push({ type: 'tool-start', index, id: call.id, name: call.name }, { type: 'tool-args', index, text: call.arguments });
      } else if (typeof part.text === 'string' && part.text !== '') {
        parts.push({ type: part.thought === true ? 'reasoning' : 'text', text: part.text });
      }
    }
    const blocked = !candidate && (data.promptFeedback as { blockReason?: unknown } | undefined)?.blockReason !== undefined;
    if (candidate?.finishReason !== undefined || blocked) {
      finished = true;
      parts.push({ type: 'finish', reason: blocked ? 'content_filter' : geminiFinishReason(candidate?.finishReason, toolCount > 0) });
    }
    return parts;
  };

  const readAll = (events: ReturnType<SseReader['push']>) => readJsonEvents(events, (data) => read(data));

  return {
    push: (chunk) => readAll(sse.push(chunk)),
    end: () => {
      const parts = readAll(sse.end());
      if (finished && usage) parts.push({ type: 'usage', usage });
      return parts;
    },
    completed: () => finished && failure === undefined,
    failure: () => failure,
  };
}
