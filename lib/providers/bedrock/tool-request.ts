import { parseMaybeJson, type DeclaredTool, type RequestToolView, type ToolResultView } from '../../security/tool-view.ts';
import type { JsonObject } from '../shared/json-body.ts';

type Block = { toolUse?: unknown; toolResult?: unknown };
type ToolResultJson = { toolUseId?: unknown; content?: unknown };

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function blocksOf(message: unknown): Block[] {
  const content = isObject(message) ? message.content : undefined;
  return Array.isArray(content) ? (content.filter(isObject) as Block[]) : [];
}

function declaredTools(json: JsonObject): DeclaredTool[] {
  const toolConfig = isObject(json.toolConfig) ? json.toolConfig : undefined;
  const declared: DeclaredTool[] = [];
  for (const tool of Array.isArray(toolConfig?.tools) ? toolConfig.tools : []) {
    const spec = isObject(tool) ? tool.toolSpec : undefined;
    if (!isObject(spec) || typeof spec.name !== 'string') continue;
    const schema = isObject(spec.inputSchema) ? spec.inputSchema.json : undefined;
    declared.push({ name: spec.name, description: typeof spec.description === 'string' ? spec.description : undefined, parameters: schema });
  }
  return declared;
}

/**
 * A toolResult's content blocks as one result: text blocks joined (and read as JSON when they are
 * JSON), a lone `json` block as its value, any other mix as the list of the blocks' values.
 */
function resultOf(content: unknown): unknown {
  const blocks = Array.isArray(content) ? content.filter(isObject) : [];
  if (blocks.length > 0 && blocks.every((block) => typeof block.text === 'string')) {
    return parseMaybeJson(blocks.map((block) => block.text as string).join(''));
  }
  const values = blocks.map((block) => {
    if ('json' in block) return block.json;
    if (typeof block.text === 'string') return parseMaybeJson(block.text);
    return block;
  });
  return values.length === 1 ? values[0] : values;
}

/**
 * Tools (`toolConfig.tools[].toolSpec`) and `toolResult` blocks of a Converse request, each tied
 * to the assistant's earlier `toolUse` block through its `toolUseId`. A result whose call is not
 * in the history has no known tool, so it is untrusted.
 */
export function bedrockRequestToolView(json: JsonObject): RequestToolView {
  const callNames = new Map<string, string>();
  const toolResults: ToolResultView[] = [];
  for (const message of Array.isArray(json.messages) ? json.messages : []) {
    for (const block of blocksOf(message)) {
      const toolUse = block.toolUse;
      if (isObject(toolUse) && typeof toolUse.toolUseId === 'string' && typeof toolUse.name === 'string') {
        callNames.set(toolUse.toolUseId, toolUse.name);
      }
      const result = block.toolResult as ToolResultJson | undefined;
      if (!isObject(result) || typeof result.toolUseId !== 'string') continue;
      const callId = result.toolUseId;
      toolResults.push({
        callId,
        toolName: callNames.get(callId),
        content: resultOf(result.content),
        replace: (text) => {
          result.content = [{ text }];
        },
      });
    }
  }
  return { declaredTools: declaredTools(json), toolResults, rebuildBody: () => Buffer.from(JSON.stringify(json)) };
}

/** Only requests that declare tools or carry tool results go through the tool policies. */
export function bedrockCarriesTools(json: JsonObject): boolean {
  if (declaredTools(json).length > 0) return true;
  return (Array.isArray(json.messages) ? json.messages : []).some((message) => blocksOf(message).some((block) => isObject(block.toolResult)));
}
