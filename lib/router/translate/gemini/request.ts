import type { JsonObject } from '../../../providers/shared/json-body.ts';
import type { ReasoningEffort, RouterMessage, RouterRequest, ToolChoice } from '../../neutral.ts';
import { argumentsObject, mergeTurns, refuseSequentialToolCalls, thinkingBudgets, toolNamesById, type Turn } from '../shared.ts';
import type { TranslateContext } from '../translator.ts';
import { readGeminiToolCallId } from './tool-call-id.ts';

type Part = Record<string, unknown>;

/**
 * Gemini 3 wants a signature with every function call of the turn in progress; for a call whose
 * signature is unknown (made by another model, or by a client that rewrote the id), Google
 * documents this value to skip the check.
 */
const UNKNOWN_SIGNATURE = 'skip_thought_signature_validator';

function functionResponse(content: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(content);
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // plain text
  }
  // Gemini takes a function's response as an object: a text result is given as `result`.
  return { result: content };
}

async function contents(messages: readonly RouterMessage[], context: TranslateContext): Promise<Array<{ role: string; parts: Part[] }>> {
  const names = toolNamesById(messages);
  const signed = /gemini-3/.test(context.model);
  const out: Array<Turn<Part>> = [];
  for (const message of messages) {
    switch (message.role) {
      case 'user': {
        const parts: Part[] = [];
        for (const part of message.content) {
          if (part.type === 'text') parts.push({ text: part.text });
          else {
            const image = await context.images.bytes(part.image);
            parts.push({ inlineData: { mimeType: image.mediaType, data: image.base64 } });
          }
        }
        out.push({ role: 'user', content: parts });
        break;
      }
      case 'assistant': {
        const parts: Part[] = message.text !== '' ? [{ text: message.text }] : [];
        for (const call of message.toolCalls) {
          const { id, signature } = readGeminiToolCallId(call.id);
          parts.push({
            functionCall: { id, name: call.name, args: argumentsObject(call.arguments, call.id) },
            ...(signature ? { thoughtSignature: signature } : signed ? { thoughtSignature: UNKNOWN_SIGNATURE } : {}),
          });
        }
        out.push({ role: 'model', content: parts });
        break;
      }
      case 'tool': {
        const { id } = readGeminiToolCallId(message.toolCallId);
        const name = names.get(message.toolCallId) ?? id;
        out.push({ role: 'user', content: [{ functionResponse: { id, name, response: functionResponse(message.content) } }] });
        break;
      }
    }
  }
  return mergeTurns(out).map((turn) => ({ role: turn.role, parts: turn.content }));
}

function functionCallingConfig(choice: ToolChoice | undefined): Record<string, unknown> | undefined {
  switch (choice?.type) {
    case undefined:
      return undefined;
    case 'auto':
      return { mode: 'AUTO' };
    case 'none':
      return { mode: 'NONE' };
    case 'required':
      return { mode: 'ANY' };
    case 'function':
      return { mode: 'ANY', allowedFunctionNames: [choice.name] };
  }
}

const thinkingLevels: Record<ReasoningEffort, string> = {
  none: 'MINIMAL',
  minimal: 'MINIMAL',
  low: 'LOW',
  medium: 'MEDIUM',
  high: 'HIGH',
  xhigh: 'HIGH',
};

/** Gemini 3 takes a thinking level; Gemini 2.5 a thinking budget (0 turns thinking off). */
function thinkingConfig(effort: ReasoningEffort | undefined, model: string): Record<string, unknown> | undefined {
  if (effort === undefined) return undefined;
  if (/gemini-3/.test(model)) return { thinkingLevel: thinkingLevels[effort], includeThoughts: effort !== 'none' };
  if (effort === 'none') return { thinkingBudget: 0 };
  return { thinkingBudget: thinkingBudgets[effort], includeThoughts: true };
}

/** An OpenAI-shaped request as a Gemini generateContent body. */
export async function geminiRequest(request: RouterRequest, context: TranslateContext): Promise<JsonObject> {
  refuseSequentialToolCalls(request, context.providerName);
  const format = request.format;
  const thinking = thinkingConfig(request.reasoningEffort, context.model);
  const generationConfig: Record<string, unknown> = {
    ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
    ...(request.topP !== undefined ? { topP: request.topP } : {}),
    ...(request.maxTokens !== undefined ? { maxOutputTokens: request.maxTokens } : {}),
    ...(request.stop ? { stopSequences: request.stop } : {}),
    ...(request.seed !== undefined ? { seed: request.seed } : {}),
    ...(request.presencePenalty !== undefined ? { presencePenalty: request.presencePenalty } : {}),
    ...(request.frequencyPenalty !== undefined ? { frequencyPenalty: request.frequencyPenalty } : {}),
    ...(format?.type === 'json_object' || format?.type === 'json_schema' ? { responseMimeType: 'application/json' } : {}),
    ...(format?.type === 'json_schema' ? { responseJsonSchema: format.schema } : {}),
    ...(thinking ? { thinkingConfig: thinking } : {}),
  };
  const calling = request.tools.length > 0 ? functionCallingConfig(request.toolChoice) : undefined;
  return {
    contents: await contents(request.messages, context),
    ...(request.system.length > 0 ? { systemInstruction: { parts: request.system.map((text) => ({ text })) } } : {}),
    ...(request.tools.length > 0
      ? {
          tools: [
            {
              functionDeclarations: request.tools.map((tool) => ({
                name: tool.name,
                ...(tool.description !== undefined ? { description: tool.description } : {}),
                parametersJsonSchema: tool.parameters,
              })),
            },
          ],
        }
      : {}),
    ...(calling ? { toolConfig: { functionCallingConfig: calling } } : {}),
    ...(Object.keys(generationConfig).length > 0 ? { generationConfig } : {}),
  };
}
