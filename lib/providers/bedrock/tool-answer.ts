import type { ResponseToolDialect, ToolCallView } from '../../security/tool-view.ts';
import { guardConverseStream } from './tool-stream.ts';

type ContentBlock = { toolUse?: { toolUseId?: unknown; name?: unknown; input?: unknown } | null; [field: string]: unknown };

interface ConverseJson {
  output?: { message?: { content?: ContentBlock[] | null } | null } | null;
  stopReason?: unknown;
}

function parse(body: Buffer): ConverseJson | undefined {
  try {
    const json: unknown = JSON.parse(body.toString('utf8'));
    return json !== null && typeof json === 'object' && !Array.isArray(json) ? (json as ConverseJson) : undefined;
  } catch {
    return undefined;
  }
}

function blocksOf(json: ConverseJson | undefined): ContentBlock[] {
  const content = json?.output?.message?.content;
  return Array.isArray(content) ? content.filter((block): block is ContentBlock => block !== null && typeof block === 'object') : [];
}

const isToolUse = (block: ContentBlock) => block.toolUse !== null && typeof block.toolUse === 'object';

/**
 * Tool use in Converse answers, and how to withhold it: the `toolUse` blocks are removed, the
 * refusal is added as a text block, and the stop reason becomes `end_turn`.
 */
export const converseToolAnswer: ResponseToolDialect = {
  toolCalls(body) {
    return blocksOf(parse(body))
      .filter(isToolUse)
      .map((block): ToolCallView => {
        const toolUse = block.toolUse!;
        return {
          id: typeof toolUse.toolUseId === 'string' ? toolUse.toolUseId : '',
          name: typeof toolUse.name === 'string' ? toolUse.name : '',
          arguments: toolUse.input ?? {},
        };
      });
  },
  refuse(body, refusal) {
    const json = parse(body);
    const message = json?.output?.message;
    if (!json || !message) return body;
    message.content = [...blocksOf(json).filter((block) => !isToolUse(block)), { text: refusal }];
    json.stopReason = 'end_turn';
    return Buffer.from(JSON.stringify(json));
  },
  guardStream: guardConverseStream,
};
