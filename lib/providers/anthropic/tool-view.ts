import { parseMaybeJson, type DeclaredTool, type RequestToolView, type ToolResultView } from '../../security/tool-view.ts';
import type { JsonObject } from '../shared/json-body.ts';

export type ContentBlock = Record<string, unknown> & { type?: unknown };

interface ToolJson {
  type?: unknown;
  name?: unknown;
  description?: unknown;
  input_schema?: unknown;
}

/** Blocks of tools Anthropic runs itself while answering (server tools, MCP connector tools). */
const PROVIDER_RUN_USES = new Set(['server_tool_use', 'mcp_tool_use']);

/** `web_search_tool_result`, `web_fetch_tool_result`, `code_execution_tool_result`, `mcp_tool_result`, … */
export function isProviderRunResult(block: ContentBlock): boolean {
  return (
    typeof block.type === 'string' &&
    block.type !== 'tool_result' &&
    block.type.endsWith('_tool_result') &&
    typeof block.tool_use_id === 'string'
  );
}

export function isProviderRunUse(block: ContentBlock): boolean {
  return typeof block.type === 'string' && PROVIDER_RUN_USES.has(block.type) && typeof block.id === 'string';
}

function isBlock(value: unknown): value is ContentBlock {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** A `tool_result`'s content (a string, or blocks): its text parsed as JSON when it is JSON; blocks without text as they are. */
export function toolResultContent(content: unknown): unknown {
  if (typeof content === 'string') return parseMaybeJson(content);
  if (!Array.isArray(content)) return content === undefined || content === null ? '' : content;
  const texts = content.filter((part): part is ContentBlock & { text: string } => isBlock(part) && typeof part.text === 'string');
  return texts.length > 0 ? parseMaybeJson(texts.map((part) => part.text).join('')) : content;
}

/** What policies see of a provider-run tool's result: an MCP result's text, the structured content of the others. */
export function providerRunResultContent(block: ContentBlock): unknown {
  return block.type === 'mcp_tool_result' ? toolResultContent(block.content) : block.content;
}

/**
 * Tools declared in `tools[]`. A custom tool (no `type`, or `type: "custom"`) brings its description
 * and input schema. A tool with another `type` is defined by Anthropic: the client-run ones (bash,
 * text editor, computer use, memory) answer with ordinary `tool_use` blocks under their `name`, so
 * they are declared like any tool and their calls judged; the server-run ones (web search, web
 * fetch, code execution) are declared so policies can be set on their results, which Sluice
 * classifies (their calls have already run when the answer arrives, so they cannot be refused).
 */
function declaredTools(json: JsonObject): DeclaredTool[] {
  const out: DeclaredTool[] = [];
  for (const tool of Array.isArray(json.tools) ? (json.tools as ToolJson[]) : []) {
    if (!isBlock(tool) || typeof tool.name !== 'string') continue;
    const description = typeof tool.description === 'string' ? tool.description : undefined;
    if (tool.type === undefined || tool.type === 'custom') {
      out.push({ name: tool.name, description, parameters: tool.input_schema });
    } else {
      out.push({ name: tool.name, description: description ?? `Anthropic-defined tool ${String(tool.type)}` });
    }
  }
  return out;
}

/**
 * Tools and tool results of a Messages request. A `tool_result` block (in a user message) is tied
 * by `tool_use_id` to the `tool_use` block of an earlier assistant message, which names the tool;
 * its content becomes the notice when a policy replaces it. A provider-run tool's result (in an
 * assistant message, after its `server_tool_use` or `mcp_tool_use` block) is classified the same
 * way; since its content has a fixed shape, replacing it swaps the use and result blocks for one
 * text block that carries the notice.
 */
export function messagesRequestToolView(json: JsonObject, serialize: () => Buffer): RequestToolView {
  const toolNames = new Map<string, string>();
  const providerRunUses = new Map<string, { blocks: unknown[]; block: ContentBlock }>();
  const toolResults: ToolResultView[] = [];
  for (const message of Array.isArray(json.messages) ? (json.messages as Array<{ content?: unknown }>) : []) {
    if (!isBlock(message) || !Array.isArray(message.content)) continue;
    const blocks = message.content as unknown[];
    for (const block of blocks) {
      if (!isBlock(block)) continue;
      if ((block.type === 'tool_use' || isProviderRunUse(block)) && typeof block.id === 'string' && typeof block.name === 'string') {
        toolNames.set(block.id, block.name);
        if (isProviderRunUse(block)) providerRunUses.set(block.id, { blocks, block });
      } else if (block.type === 'tool_result' && typeof block.tool_use_id === 'string') {
        toolResults.push({
          callId: block.tool_use_id,
          toolName: toolNames.get(block.tool_use_id),
          content: toolResultContent(block.content),
          replace: (text) => {
            block.content = text;
          },
        });
      } else if (isProviderRunResult(block)) {
        const callId = block.tool_use_id as string;
        toolResults.push({
          callId,
          toolName: toolNames.get(callId),
          content: providerRunResultContent(block),
          replace: (text) => {
            blocks[blocks.indexOf(block)] = { type: 'text', text };
            const use = providerRunUses.get(callId);
            const at = use ? use.blocks.indexOf(use.block) : -1;
            if (at >= 0) use!.blocks.splice(at, 1);
          },
        });
      }
    }
  }
  return { declaredTools: declaredTools(json), toolResults, rebuildBody: serialize };
}

/** Only requests that declare tools or carry tool results go through the tool policies. */
export function messagesCarryTools(json: JsonObject): boolean {
  if (Array.isArray(json.tools) && json.tools.length > 0) return true;
  if (!Array.isArray(json.messages)) return false;
  return json.messages.some(
    (message: { content?: unknown }) =>
      isBlock(message) &&
      Array.isArray(message.content) &&
      message.content.some((block) => isBlock(block) && (block.type === 'tool_result' || isProviderRunResult(block))),
  );
}
