import type { ResponseToolDialect, StreamGuard } from '../../security/tool-view.ts';
import { callView, functionCallOf, partsOf, refusalPart, type GenerateContentJson } from './function-calls.ts';
import { guardGeminiJsonArray, guardGeminiSse, type JsonArrayGuard } from './tool-stream.ts';

function parse(body: Buffer): GenerateContentJson | undefined {
  try {
    const json: unknown = JSON.parse(body.toString('utf8'));
    return json !== null && typeof json === 'object' && !Array.isArray(json) ? (json as GenerateContentJson) : undefined;
  } catch {
    return undefined;
  }
}

export interface GeminiToolAnswerOptions {
  /** How a streamed answer is framed: SSE (`alt=sse`) or one JSON array. */
  stream: 'sse' | 'json-array';
  /** Told of the JSON-array guard once it exists: a broken stream is closed from what it let through. */
  onArrayGuard?: (guard: JsonArrayGuard) => void;
}

/**
 * Function calls in generateContent answers, and how to withhold them: the `functionCall` parts
 * of every candidate are removed, the refusal is added as a text part, and the finish reason is
 * `STOP` (the one Gemini gives a finished text answer).
 */
export function geminiToolAnswer(options: GeminiToolAnswerOptions): ResponseToolDialect {
  return {
    toolCalls(body) {
      const json = parse(body);
      return (json?.candidates ?? []).flatMap((candidate) =>
        partsOf(candidate).flatMap((part) => {
          const call = functionCallOf(part);
          return call && typeof call.name === 'string' ? [callView(call)] : [];
        }),
      );
    },
    refuse(body, refusal) {
      const json = parse(body);
      if (!json) return body;
      for (const candidate of json.candidates ?? []) {
        const parts = partsOf(candidate);
        if (!parts.some((part) => functionCallOf(part))) continue;
        candidate.content = { ...candidate.content, parts: [...parts.filter((part) => !functionCallOf(part)), refusalPart(refusal)] };
        candidate.finishReason = 'STOP';
      }
      return Buffer.from(JSON.stringify(json));
    },
    guardStream(judge, onBlocked, refusal): StreamGuard {
      if (options.stream === 'sse') return guardGeminiSse(judge, onBlocked, refusal);
      const guard = guardGeminiJsonArray(judge, onBlocked, refusal);
      options.onArrayGuard?.(guard);
      return guard;
    },
  };
}
