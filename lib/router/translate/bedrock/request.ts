import type { JsonObject } from '../../../providers/shared/json-body.ts';
import type { ReasoningEffort, RouterMessage, RouterRequest, ToolChoice } from '../../neutral.ts';
import { notCarried } from '../../openai/read-helpers.ts';
import { argumentsObject, mergeTurns, refuseSequentialToolCalls, refuseUnsupported, type Turn } from '../shared.ts';
import type { TranslateContext } from '../translator.ts';

type Block = Record<string, unknown>;

/** The image formats Converse takes, by media type. */
const imageFormats: Readonly<Record<string, string>> = {
  'image/png': 'png',
  'image/jpeg': 'jpeg',
  'image/jpg': 'jpeg',
  'image/gif': 'gif',
  'image/webp': 'webp',
};

async function turns(messages: readonly RouterMessage[], context: TranslateContext): Promise<Array<Turn<Block>>> {
  const out: Array<Turn<Block>> = [];
  for (const message of messages) {
    switch (message.role) {
      case 'user': {
        const blocks: Block[] = [];
        for (const part of message.content) {
          if (part.type === 'text') {
            blocks.push({ text: part.text });
            continue;
          }
          const image = await context.images.bytes(part.image);
          const format = imageFormats[image.mediaType];
          if (!format) throw notCarried('messages', context.providerName, `an image of type ${image.mediaType} (png, jpeg, gif and webp only)`);
          blocks.push({ image: { format, source: { bytes: image.base64 } } });
        }
        out.push({ role: 'user', content: blocks });
        break;
      }
      case 'assistant':
        out.push({
          role: 'assistant',
          content: [
            ...(message.text !== '' ? [{ text: message.text }] : []),
            ...message.toolCalls.map((call) => ({ toolUse: { toolUseId: call.id, name: call.name, input: argumentsObject(call.arguments, call.id) } })),
          ],
        });
        break;
      case 'tool':
        out.push({ role: 'user', content: [{ toolResult: { toolUseId: message.toolCallId, content: [{ text: message.content }] } }] });
        break;
    }
  }
  return mergeTurns(out);
}

function toolChoice(choice: ToolChoice | undefined): Block | undefined {
  switch (choice?.type) {
    case 'required':
      return { any: {} };
    case 'function':
      return { tool: { name: choice.name } };
    case 'auto':
      return { auto: {} };
    default:
      return undefined;
  }
}

const hasToolBlocks = (messages: readonly RouterMessage[]) =>
  messages.some((m) => m.role === 'tool' || (m.role === 'assistant' && m.toolCalls.length > 0));

function toolConfig(request: RouterRequest, providerName: string): Block | undefined {
  if (request.tools.length === 0) return undefined;
  if (request.toolChoice?.type === 'none') {
    // Converse has no "none": leaving the tools out forbids calls, but a conversation that holds
    // tool use must declare its tools.
    if (!hasToolBlocks(request.messages)) return undefined;
    throw notCarried('tool_choice', providerName, "tool_choice 'none' in a conversation that holds tool calls");
  }
  const choice = toolChoice(request.toolChoice);
  return {
    tools: request.tools.map((tool) => ({
      toolSpec: {
        name: tool.name,
        ...(tool.description !== undefined ? { description: tool.description } : {}),
        inputSchema: { json: tool.parameters },
        ...(tool.strict === true ? { strict: true } : {}),
      },
    })),
    ...(choice ? { toolChoice: choice } : {}),
  };
}

const efforts: Record<Exclude<ReasoningEffort, 'none'>, string> = {
  minimal: 'low',
  low: 'low',
  medium: 'medium',
  high: 'high',
  xhigh: 'xhigh',
};

/** An OpenAI-shaped request as a Bedrock Converse body. */
export async function bedrockRequest(request: RouterRequest, context: TranslateContext): Promise<JsonObject> {
  const { providerName } = context;
  refuseUnsupported(request, providerName, ['seed', 'frequencyPenalty', 'presencePenalty']);
  refuseSequentialToolCalls(request, providerName);
  if (request.format?.type === 'json_object') {
    throw notCarried('response_format', providerName, "JSON mode without a schema (use response_format type 'json_schema')");
  }
  const inferenceConfig: Block = {
    ...(request.maxTokens !== undefined ? { maxTokens: request.maxTokens } : {}),
    ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
    ...(request.topP !== undefined ? { topP: request.topP } : {}),
    ...(request.stop ? { stopSequences: request.stop } : {}),
  };
  const format = request.format;
  const effort = request.reasoningEffort;
  const outputConfig: Block = {
    ...(format?.type === 'json_schema'
      ? {
          textFormat: {
            type: 'json_schema',
            structure: {
              jsonSchema: {
                schema: JSON.stringify(format.schema),
                name: format.name,
                ...(format.description !== undefined ? { description: format.description } : {}),
              },
            },
          },
        }
      : {}),
    ...(effort !== undefined && effort !== 'none' ? { effort: efforts[effort] } : {}),
  };
  const tools = toolConfig(request, providerName);
  return {
    messages: await turns(request.messages, context),
    ...(request.system.length > 0 ? { system: request.system.map((text) => ({ text })) } : {}),
    ...(Object.keys(inferenceConfig).length > 0 ? { inferenceConfig } : {}),
    ...(tools ? { toolConfig: tools } : {}),
    ...(Object.keys(outputConfig).length > 0 ? { outputConfig } : {}),
  };
}
