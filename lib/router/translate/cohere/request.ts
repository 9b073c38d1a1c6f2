import type { JsonObject } from '../../../providers/shared/json-body.ts';
import type { RouterMessage, RouterRequest, ToolDefinition } from '../../neutral.ts';
import { openAiStyleToolCalls, openAiStyleUserMessage, refuseSequentialToolCalls, thinkingBudgets } from '../shared.ts';
import type { TranslateContext } from '../translator.ts';

type Message = Record<string, unknown>;

function message(item: RouterMessage): Message {
  switch (item.role) {
    case 'user':
      return openAiStyleUserMessage(item.content);
    case 'assistant':
      return {
        role: 'assistant',
        ...(item.text !== '' ? { content: item.text } : {}),
        ...(item.toolCalls.length > 0
          ? { tool_calls: openAiStyleToolCalls(item.toolCalls) }
          : {}),
      };
    case 'tool':
      return { role: 'tool', tool_call_id: item.toolCallId, content: item.content };
  }
}

/**
 * Cohere's tool_choice is REQUIRED or NONE: a choice of one function is carried by offering only
 * that function, with REQUIRED.
 */
function toolFields(request: RouterRequest): Record<string, unknown> {
  if (request.tools.length === 0) return {};
  const choice = request.toolChoice;
  const offered: ToolDefinition[] = choice?.type === 'function' ? request.tools.filter((tool) => tool.name === choice.name) : request.tools;
  const toolChoice = choice?.type === 'required' || choice?.type === 'function' ? 'REQUIRED' : choice?.type === 'none' ? 'NONE' : undefined;
  return {
    tools: offered.map((tool) => ({
      type: 'function',
      function: {
        name: tool.name,
        ...(tool.description !== undefined ? { description: tool.description } : {}),
        parameters: tool.parameters,
      },
    })),
    ...(offered.length > 0 && offered.every((tool) => tool.strict === true) ? { strict_tools: true } : {}),
    ...(toolChoice ? { tool_choice: toolChoice } : {}),
  };
}

/** An OpenAI-shaped request as a Cohere v2 chat body. */
export async function cohereRequest(request: RouterRequest, context: TranslateContext): Promise<JsonObject> {
  refuseSequentialToolCalls(request, context.providerName);
  const format = request.format;
  const effort = request.reasoningEffort;
  return {
    model: context.model,
    messages: [...request.system.map((text) => ({ role: 'system', content: text })), ...request.messages.map(message)],
    ...toolFields(request),
    ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
    ...(request.topP !== undefined ? { p: request.topP } : {}),
    ...(request.maxTokens !== undefined ? { max_tokens: request.maxTokens } : {}),
    ...(request.stop ? { stop_sequences: request.stop } : {}),
    ...(request.seed !== undefined ? { seed: request.seed } : {}),
    ...(request.frequencyPenalty !== undefined ? { frequency_penalty: request.frequencyPenalty } : {}),
    ...(request.presencePenalty !== undefined ? { presence_penalty: request.presencePenalty } : {}),
    ...(format?.type === 'json_object' ? { response_format: { type: 'json_object' } } : {}),
    ...(format?.type === 'json_schema' ? { response_format: { type: 'json_object', json_schema: format.schema } } : {}),
    ...(effort === 'none' ? { thinking: { type: 'disabled' } } : {}),
    ...(effort !== undefined && effort !== 'none' ? { thinking: { type: 'enabled', token_budget: thinkingBudgets[effort] } } : {}),
    ...(request.stream ? { stream: true } : {}),
  };
}
