import type { JsonObject } from '../../../providers/shared/json-body.ts';
import type { ReasoningEffort, RouterMessage, RouterRequest, ToolChoice } from '../../neutral.ts';
import { notCarried } from '../../openai/read-helpers.ts';
import { argumentsObject, continuesToolLoop, mergeTurns, refuseUnsupported, thinkingBudgets, type Turn } from '../shared.ts';
import type { TranslateContext } from '../translator.ts';

type Block = Record<string, unknown>;

/**
 * Anthropic requires max_tokens; OpenAI does not. Used when the client sets no limit: 8192, or
 * 4096 for the Claude 3 models that allow no more.
 */
export function defaultMaxTokens(model: string): number {
  return /claude-3-(?:opus|sonnet|haiku)/.test(model) ? 4096 : 8192;
}

function userBlocks(message: Extract<RouterMessage, { role: 'user' }>): Block[] {
  return message.content.map((part) => {
    if (part.type === 'text') return { type: 'text', text: part.text };
    const source =
      part.image.kind === 'data'
        ? { type: 'base64', media_type: part.image.mediaType, data: part.image.base64 }
        : { type: 'url', url: part.image.url };
    return { type: 'image', source };
  });
}

function turns(messages: readonly RouterMessage[]): Array<Turn<Block>> {
  const out: Array<Turn<Block>> = messages.map((message) => {
    switch (message.role) {
      case 'user':
        return { role: 'user', content: userBlocks(message) };
      case 'assistant':
        return {
          role: 'assistant',
          content: [
            ...(message.text !== '' ? [{ type: 'text', text: message.text }] : []),
            ...message.toolCalls.map((call) => ({ type: 'tool_use', id: call.id, name: call.name, input: argumentsObject(call.arguments, call.id) })),
          ],
        };
      case 'tool':
        return { role: 'user', content: [{ type: 'tool_result', tool_use_id: message.toolCallId, content: message.content }] };
    }
  });
  // Within a user turn, tool results must come before anything else.
  return mergeTurns(out).map((turn) =>
    turn.role === 'user'
      ? { role: 'user', content: [...turn.content.filter((b) => b.type === 'tool_result'), ...turn.content.filter((b) => b.type !== 'tool_result')] }
      : turn,
  );
}

function toolChoice(choice: ToolChoice | undefined, parallel: boolean | undefined): Block | undefined {
  const disable = parallel === false ? { disable_parallel_tool_use: true } : {};
  switch (choice?.type) {
    case undefined:
      return parallel === false ? { type: 'auto', ...disable } : undefined;
    case 'auto':
      return { type: 'auto', ...disable };
    case 'none':
      return { type: 'none' };
    case 'required':
      return { type: 'any', ...disable };
    case 'function':
      return { type: 'tool', name: choice.name, ...disable };
  }
}

/**
 * Claude 4.6 and later think adaptively, steered by an effort level (budgets are refused from
 * Opus 4.7 on); earlier models take a thinking token budget.
 */
export function thinksAdaptively(model: string): boolean {
  const match = /claude-(?:opus|sonnet|haiku)-(\d+)(?:[-.](\d{1,2}))?(?:\D|$)/.exec(model);
  if (!match) return false;
  const major = Number(match[1]);
  const minor = match[2] === undefined ? 0 : Number(match[2]);
  return major > 4 || (major === 4 && minor >= 6);
}

const adaptiveEffort: Record<Exclude<ReasoningEffort, 'none'>, string> = {
  minimal: 'low',
  low: 'low',
  medium: 'medium',
  high: 'high',
  xhigh: 'xhigh',
};

interface ThinkingFields {
  thinking?: Block;
  effort?: string;
  maxTokens: number;
}

/**
 * Reasoning effort as Anthropic's thinking. A turn that continues a tool loop would have to hand
 * back the signed thinking block of the turn before it, which OpenAI clients do not keep: such a
 * turn runs without thinking (Anthropic allows that), the others think as asked.
 */
function thinking(request: RouterRequest, model: string, providerName: string): ThinkingFields {
  const effort = request.reasoningEffort;
  const fallback = defaultMaxTokens(model);
  if (effort === undefined || effort === 'none' || continuesToolLoop(request.messages)) {
    return { maxTokens: request.maxTokens ?? fallback };
  }
  if (thinksAdaptively(model)) {
    return { thinking: { type: 'adaptive' }, effort: adaptiveEffort[effort], maxTokens: request.maxTokens ?? fallback };
  }
  const wanted = thinkingBudgets[effort];
  if (request.maxTokens === undefined) {
    return { thinking: { type: 'enabled', budget_tokens: wanted }, maxTokens: wanted + fallback };
  }
  // OpenAI's limit counts reasoning tokens too, as Anthropic's max_tokens counts thinking.
  const budget = Math.min(wanted, request.maxTokens - 1);
  if (budget < thinkingBudgets.minimal) {
    throw notCarried('max_completion_tokens', providerName, `reasoning within ${request.maxTokens} tokens (thinking needs at least ${thinkingBudgets.minimal + 1})`);
  }
  return { thinking: { type: 'enabled', budget_tokens: budget }, maxTokens: request.maxTokens };
}

/** An OpenAI-shaped request as an Anthropic Messages body. */
export async function anthropicRequest(request: RouterRequest, context: TranslateContext): Promise<JsonObject> {
  const { providerName, model } = context;
  refuseUnsupported(request, providerName, ['seed', 'frequencyPenalty', 'presencePenalty']);
  if (request.format?.type === 'json_object') {
    throw notCarried('response_format', providerName, "JSON mode without a schema (use response_format type 'json_schema')");
  }
  const reasoning = thinking(request, model, providerName);
  const outputConfig: Block = {
    ...(request.format?.type === 'json_schema' ? { format: { type: 'json_schema', schema: request.format.schema } } : {}),
    ...(reasoning.effort ? { effort: reasoning.effort } : {}),
  };
  const choice = request.tools.length > 0 ? toolChoice(request.toolChoice, request.parallelToolCalls) : undefined;
  return {
    model,
    max_tokens: reasoning.maxTokens,
    ...(request.system.length > 0 ? { system: request.system.map((text) => ({ type: 'text', text })) } : {}),
    messages: turns(request.messages),
    ...(request.tools.length > 0
      ? {
          tools: request.tools.map((tool) => ({
            name: tool.name,
            ...(tool.description !== undefined ? { description: tool.description } : {}),
            input_schema: tool.parameters,
            ...(tool.strict === true ? { strict: true } : {}),
          })),
        }
      : {}),
    ...(choice ? { tool_choice: choice } : {}),
    ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
    ...(request.topP !== undefined ? { top_p: request.topP } : {}),
    ...(request.stop ? { stop_sequences: request.stop } : {}),
    ...(reasoning.thinking ? { thinking: reasoning.thinking } : {}),
    ...(Object.keys(outputConfig).length > 0 ? { output_config: outputConfig } : {}),
    ...(request.stream ? { stream: true } : {}),
  };
}
