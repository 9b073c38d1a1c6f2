import { asAnthropicUsage, tokenUsageFromAnthropic } from '../../../providers/anthropic/usage.ts';
import type { JsonObject } from '../../../providers/shared/json-body.ts';
import type { FinishReason, RouterCompletion, ToolCall } from '../../neutral.ts';

export function anthropicFinishReason(stopReason: unknown): FinishReason {
  switch (stopReason) {
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'tool_use':
      return 'tool_calls';
    case 'refusal':
      return 'content_filter';
    default:
      return 'stop';
  }
}

/** An Anthropic Message as a neutral completion. */
export function anthropicResponse(body: JsonObject, model: string): RouterCompletion {
  const blocks = Array.isArray(body.content) ? (body.content as Array<Record<string, unknown>>) : [];
  let text = '';
  let reasoning = '';
  const toolCalls: ToolCall[] = [];
  for (const block of blocks) {
    if (block?.type === 'text' && typeof block.text === 'string') text += block.text;
    else if (block?.type === 'thinking' && typeof block.thinking === 'string') reasoning += block.thinking;
    else if (block?.type === 'tool_use') {
      toolCalls.push({ id: String(block.id), name: String(block.name), arguments: JSON.stringify(block.input ?? {}) });
    }
  }
  const usage = tokenUsageFromAnthropic(asAnthropicUsage(body.usage));
  return {
    id: typeof body.id === 'string' ? body.id : undefined,
    model: typeof body.model === 'string' ? body.model : model,
    text,
    reasoning,
    toolCalls,
    finishReason: anthropicFinishReason(body.stop_reason),
    ...(usage ? { usage } : {}),
  };
}
