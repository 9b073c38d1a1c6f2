import type { ResponseSummary } from '../types.ts';
import { tokenUsageFromGemini } from './usage.ts';

interface GenerateContentResponse {
  modelVersion?: unknown;
  usageMetadata?: unknown;
  promptFeedback?: { blockReason?: unknown } | null;
  candidates?: Array<{
    finishReason?: unknown;
    content?: { parts?: Array<{ functionCall?: { id?: unknown; name?: unknown } | null } | null> } | null;
  } | null>;
  error?: { message?: unknown; status?: unknown; code?: unknown } | null;
}

/**
 * Reads GenerateContentResponse objects (one whole answer, or each chunk of a stream) into a
 * summary. Streamed chunks carry cumulative usage, so the last one seen wins.
 */
export class GenerateContentReader {
  readonly summary: ResponseSummary = {};
  /** The answer reached its end: a finish reason, a blocked prompt, or an error. */
  finished = false;
  /** An error object Google sent inside a stream that had started with 200. */
  failure: string | undefined;

  read(value: unknown): void {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return;
    const response = value as GenerateContentResponse;
    const summary = this.summary;
    if (response.error && typeof response.error === 'object') {
      const { status, message, code } = response.error;
      this.failure = `${typeof code === 'number' ? `HTTP ${code}` : 'error'}${typeof status === 'string' ? ` ${status}` : ''}: ${typeof message === 'string' ? message : 'no message'}`;
      this.finished = true;
      return;
    }
    if (typeof response.modelVersion === 'string') summary.model = response.modelVersion;
    const usage = tokenUsageFromGemini(response.usageMetadata);
    if (usage) summary.usage = usage;
    const blockReason = response.promptFeedback?.blockReason;
    if (typeof blockReason === 'string' && blockReason !== 'BLOCK_REASON_UNSPECIFIED') {
      summary.finishReason = blockReason;
      this.finished = true;
    }
    for (const candidate of response.candidates ?? []) {
      if (typeof candidate?.finishReason === 'string') {
        summary.finishReason = candidate.finishReason;
        this.finished = true;
      }
      for (const part of candidate?.content?.parts ?? []) {
        const call = part?.functionCall;
        if (!call || typeof call.name !== 'string') continue;
        (summary.toolCalls ??= []).push(typeof call.id === 'string' ? { id: call.id, name: call.name } : { name: call.name });
      }
    }
  }
}

/** A complete (non-streaming) generateContent answer. */
export function summarizeGenerateContent(body: Buffer): ResponseSummary {
  const reader = new GenerateContentReader();
  try {
    reader.read(JSON.parse(body.toString('utf8')));
  } catch {
    // not JSON: nothing to learn
  }
  return reader.summary;
}
