import type { TokenUsage } from '../../../interactions/interaction.ts';
import type { JsonObject } from '../../../providers/shared/json-body.ts';
import type { FinishReason, RouterCompletion, ToolCall } from '../../neutral.ts';

const count = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;

/** Converse usage with the prompt counted whole: Bedrock's inputTokens leaves out cache reads and writes. */
export function bedrockUsage(raw: unknown): TokenUsage | undefined {
  if (raw === null || typeof raw !== 'object') return undefined;
  const usage = raw as Record<string, unknown>;
  const input = count(usage.inputTokens);
  if (input === undefined) return undefined;
  const cacheRead = count(usage.cacheReadInputTokens);
  const cacheWrite = count(usage.cacheWriteInputTokens);
  return {
    inputTokens: input + (cacheRead ?? 0) + (cacheWrite ?? 0),
    outputTokens: count(usage.outputTokens) ?? 0,
    ...(cacheRead !== undefined ? { cacheReadTokens: cacheRead } : {}),
    ...(cacheWrite !== undefined ? { cacheWriteTokens: cacheWrite } : {}),
  };
}

export function bedrockFinishReason(stopReason: unknown): FinishReason {
  switch (stopReason) {
    case 'tool_use':
      return 'tool_calls';
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'guardrail_intervened':
    case 'content_filtered':
      return 'content_filter';
    default:
      return 'stop';
  }
}

/** A Converse answer as a neutral completion (Converse names no model: the one asked for is given). */
export function bedrockResponse(body: JsonObject, model: string): RouterCompletion {
  const message = (body.output as { message?: { content?: Array<Record<string, unknown>> } } | undefined)?.message;
  let text = '';
  let reasoning = '';
  const toolCalls: ToolCall[] = [];
  for (const block of message?.content ?? []) {
    if (typeof block?.text === 'string') text += block.text;
    const toolUse = block?.toolUse as { toolUseId?: unknown; name?: unknown; input?: unknown } | undefined;
    if (toolUse) toolCalls.push({ id: String(toolUse.toolUseId), name: String(toolUse.name), arguments: JSON.stringify(toolUse.input ?? {}) });
    const thought = (block?.reasoningContent as { reasoningText?: { text?: unknown } } | undefined)?.reasoningText?.text;
    if (typeof thought === 'string') reasoning += thought;
  }
  const usage = bedrockUsage(body.usage);
  return { model, text, reasoning, toolCalls, finishReason: bedrockFinishReason(body.stopReason), ...(usage ? { usage } : {}) };
}
