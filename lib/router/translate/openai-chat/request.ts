import type { JsonObject } from '../../../providers/shared/json-body.ts';
import type { RouterMessage, RouterRequest, ToolChoice } from '../../neutral.ts';
import { openAiStyleToolCalls, openAiStyleUserMessage } from '../shared.ts';
import type { TranslateContext } from '../translator.ts';

function message(item: RouterMessage): Record<string, unknown> {
  switch (item.role) {
    case 'user':
      return openAiStyleUserMessage(item.content);
    case 'assistant':
      return {
        role: 'assistant',
        content: item.text === '' && item.toolCalls.length > 0 ? null : item.text,
        ...(item.toolCalls.length > 0
          ? { tool_calls: openAiStyleToolCalls(item.toolCalls) }
          : {}),
      };
    case 'tool':
      return { role: 'tool', tool_call_id: item.toolCallId, content: item.content };
  }
}

function toolChoice(choice: ToolChoice): unknown {
  return choice.type === 'function' ? { type: 'function', function: { name: choice.name } } : choice.type;
}

/**
 * A neutral request (read from a Responses call) as Chat Completions, for OpenAI-compatible
 * providers that have no Responses API.
 */
export async function openAiChatRequest(request: RouterRequest, context: TranslateContext): Promise<JsonObject> {
  const format = request.format;
  return {
    model: context.model,
    messages: [...request.system.map((text) => ({ role: 'system', content: text })), ...request.messages.map(message)],
    ...(request.tools.length > 0
      ? {
          tools: request.tools.map((tool) => ({
            type: 'function',
            function: {
              name: tool.name,
              ...(tool.description !== undefined ? { description: tool.description } : {}),
              parameters: tool.parameters,
              ...(tool.strict !== undefined ? { strict: tool.strict } : {}),
            },
          })),
        }
      : {}),
    ...(request.toolChoice ? { tool_choice: toolChoice(request.toolChoice) } : {}),
    ...(request.parallelToolCalls !== undefined ? { parallel_tool_calls: request.parallelToolCalls } : {}),
    ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
    ...(request.topP !== undefined ? { top_p: request.topP } : {}),
    ...(request.maxTokens !== undefined ? { max_tokens: request.maxTokens } : {}),
    ...(request.stop ? { stop: request.stop } : {}),
    ...(request.seed !== undefined ? { seed: request.seed } : {}),
    ...(request.frequencyPenalty !== undefined ? { frequency_penalty: request.frequencyPenalty } : {}),
    ...(request.presencePenalty !== undefined ? { presence_penalty: request.presencePenalty } : {}),
    ...(format && format.type !== 'text'
      ? {
          response_format:
            format.type === 'json_object'
              ? { type: 'json_object' }
              : {
                  type: 'json_schema',
                  json_schema: {
                    name: format.name,
                    schema: format.schema,
                    ...(format.description !== undefined ? { description: format.description } : {}),
                    ...(format.strict !== undefined ? { strict: format.strict } : {}),
                  },
                },
        }
      : {}),
    ...(request.reasoningEffort !== undefined ? { reasoning_effort: request.reasoningEffort } : {}),
    ...(request.stream ? { stream: true } : {}),
  };
}
