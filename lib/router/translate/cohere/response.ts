import { tokenUsageFromCohere } from '../../../providers/cohere/usage.ts';
import type { JsonObject } from '../../../providers/shared/json-body.ts';
import type { FinishReason, RouterCompletion, ToolCall } from '../../neutral.ts';

export function cohereFinishReason(reason: unknown): FinishReason {
  switch (reason) {
    case 'MAX_TOKENS':
      return 'length';
    case 'TOOL_CALL':
      return 'tool_calls';
    default:
      return 'stop';
  }
}

interface CohereToolCall {
  id?: unknown;
  function?: { name?: unknown; arguments?: unknown };
}

/** A v2 chat answer as a neutral completion; a tool plan is what the assistant says before its calls. */
export function cohereResponse(body: JsonObject, model: string): RouterCompletion {
  const message = (body.message ?? {}) as { content?: Array<Record<string, unknown>>; tool_plan?: unknown; tool_calls?: CohereToolCall[] };
  let text = '';
  let reasoning = '';
  for (const part of message.content ?? []) {
    if (part?.type === 'text' && typeof part.text === 'string') text += part.text;
    if (part?.type === 'thinking' && typeof part.thinking === 'string') reasoning += part.thinking;
  }
  if (text === '' && typeof message.tool_plan === 'string') text = message.tool_plan;
  const toolCalls: ToolCall[] = (message.tool_calls ?? []).map((call) => ({
    id: String(call.id),
    name: String(call.function?.name),
    arguments: typeof call.function?.arguments === 'string' ? call.function.arguments : JSON.stringify(call.function?.arguments ?? {}),
  }));
  const usage = tokenUsageFromCohere(body.usage);
  return {
    id: typeof body.id === 'string' ? body.id : undefined,
    model,
    text,
    reasoning,
    toolCalls,
    finishReason: cohereFinishReason(body.finish_reason),
    ...(usage ? { usage } : {}),
  };
}
