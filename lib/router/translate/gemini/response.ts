import type { TokenUsage } from '../../../interactions/interaction.ts';
import type { JsonObject } from '../../../providers/shared/json-body.ts';
import type { FinishReason, RouterCompletion, ToolCall } from '../../neutral.ts';
import { geminiToolCallId } from './tool-call-id.ts';

const count = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;

/** usageMetadata counted as OpenAI counts: input with cached and tool-use prompt tokens, output with thoughts. */
export function geminiUsage(raw: unknown): TokenUsage | undefined {
  if (raw === null || typeof raw !== 'object') return undefined;
  const usage = raw as Record<string, unknown>;
  const prompt = count(usage.promptTokenCount);
  if (prompt === undefined) return undefined;
  const thoughts = count(usage.thoughtsTokenCount);
  const cached = count(usage.cachedContentTokenCount);
  return {
    inputTokens: prompt + (count(usage.toolUsePromptTokenCount) ?? 0),
    outputTokens: (count(usage.candidatesTokenCount) ?? 0) + (thoughts ?? 0),
    ...(cached !== undefined ? { cacheReadTokens: cached } : {}),
    ...(thoughts !== undefined ? { reasoningTokens: thoughts } : {}),
  };
}

const FILTERED = new Set(['SAFETY', 'RECITATION', 'BLOCKLIST', 'PROHIBITED_CONTENT', 'SPII', 'IMAGE_SAFETY', 'IMAGE_PROHIBITED_CONTENT', 'LANGUAGE']);

export function geminiFinishReason(reason: unknown, calledTools: boolean): FinishReason {
  if (reason === 'MAX_TOKENS') return 'length';
  if (typeof reason === 'string' && FILTERED.has(reason)) return 'content_filter';
  return calledTools ? 'tool_calls' : 'stop';
}

export interface GeminiPart {
  text?: unknown;
  thought?: unknown;
  functionCall?: { id?: unknown; name?: unknown; args?: unknown };
  thoughtSignature?: unknown;
}

export function toolCallOfPart(part: GeminiPart): ToolCall | undefined {
  const call = part.functionCall;
  if (!call || typeof call.name !== 'string') return undefined;
  return {
    id: geminiToolCallId(typeof call.id === 'string' ? call.id : undefined, typeof part.thoughtSignature === 'string' ? part.thoughtSignature : undefined),
    name: call.name,
    arguments: JSON.stringify(call.args ?? {}),
  };
}

export function firstCandidate(body: JsonObject): { parts: GeminiPart[]; finishReason: unknown } | undefined {
  const candidate = (body.candidates as Array<{ content?: { parts?: GeminiPart[] }; finishReason?: unknown }> | undefined)?.[0];
  if (!candidate) return undefined;
  return { parts: candidate.content?.parts ?? [], finishReason: candidate.finishReason };
}

/** A GenerateContentResponse as a neutral completion (a prompt blocked before any candidate: content_filter). */
export function geminiResponse(body: JsonObject, model: string): RouterCompletion {
  const candidate = firstCandidate(body);
  let text = '';
  let reasoning = '';
  const toolCalls: ToolCall[] = [];
  for (const part of candidate?.parts ?? []) {
    const call = toolCallOfPart(part);
    if (call) toolCalls.push(call);
    else if (typeof part.text === 'string') {
      if (part.thought === true) reasoning += part.text;
      else text += part.text;
    }
  }
  const usage = geminiUsage(body.usageMetadata);
  return {
    id: typeof body.responseId === 'string' ? body.responseId : undefined,
    model: typeof body.modelVersion === 'string' ? body.modelVersion : model,
    text,
    reasoning,
    toolCalls,
    finishReason: candidate ? geminiFinishReason(candidate.finishReason, toolCalls.length > 0) : 'content_filter',
    ...(usage ? { usage } : {}),
  };
}
