import { tokenUsageFromOpenAi } from '../../../providers/openai/usage.ts';
import type { JsonObject } from '../../../providers/shared/json-body.ts';
import type { FinishReason, RouterCompletion, ToolCall } from '../../neutral.ts';

export function openAiFinishReason(reason: unknown): FinishReason {
  return reason === 'length' || reason === 'tool_calls' || reason === 'content_filter' ? reason : reason === 'function_call' ? 'tool_calls' : 'stop';
}

/** Reasoning text as OpenAI-compatible servers return it (`reasoning_content` or `reasoning`). */
export function reasoningOf(message: Record<string, unknown> | undefined): string {
  const value = message?.reasoning_content ?? message?.reasoning;
  return typeof value === 'string' ? value : '';
}

interface ChatChoice {
  message?: Record<string, unknown> & { content?: unknown; tool_calls?: Array<{ id?: unknown; function?: { name?: unknown; arguments?: unknown } }> };
  finish_reason?: unknown;
}

/** A Chat Completions answer as a neutral completion. */
export function openAiChatResponse(body: JsonObject, model: string): RouterCompletion {
  const choice = (body.choices as ChatChoice[] | undefined)?.[0];
  const message = choice?.message;
  const toolCalls: ToolCall[] = (message?.tool_calls ?? []).map((call) => ({
    id: String(call.id),
    name: String(call.function?.name),
    arguments: typeof call.function?.arguments === 'string' ? call.function.arguments : '{}',
  }));
  const usage = tokenUsageFromOpenAi(body.usage);
  return {
    id: typeof body.id === 'string' ? body.id : undefined,
    model: typeof body.model === 'string' ? body.model : model,
    text: typeof message?.content === 'string' ? message.content : '',
    reasoning: reasoningOf(message),
    toolCalls,
    finishReason: openAiFinishReason(choice?.finish_reason),
    ...(usage ? { usage } : {}),
  };
}
