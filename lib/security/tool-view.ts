import type { ToolCallVerdict } from './tool-invocation.ts';

/**
 * The neutral view of tools in one request and its answer, whatever the dialect. Each provider's
 * endpoint builds it from its own body shape (lib/providers/<p>/tool-view.ts).
 */
export interface DeclaredTool {
  name: string;
  description?: string;
  parameters?: unknown;
}

export interface ToolResultView {
  /** The dialect's id tying the result to its call (tool_call_id, tool_use_id, …). */
  callId: string;
  /** The tool that produced it, found through the call id in the history; undefined if not found. */
  toolName: string | undefined;
  /** The result, parsed as JSON when it is JSON, else its text. */
  content: unknown;
  /** Replaces the result's content (in the parsed body) with a text. */
  replace(text: string): void;
}

export interface RequestToolView {
  declaredTools: DeclaredTool[];
  toolResults: ToolResultView[];
  /** The body to send upstream after some results were replaced. */
  rebuildBody(): Buffer;
}

export interface ToolCallView {
  id: string;
  name: string;
  /** Parsed JSON arguments, or the raw text when they are not JSON. */
  arguments: unknown;
}

export interface BlockedCall {
  call: ToolCallView;
  verdict: ToolCallVerdict;
}

/** A tool result inside the answer itself: a tool the provider ran while answering (Anthropic's web search, …). */
export interface AnswerToolResult {
  callId: string;
  toolName: string | undefined;
  content: unknown;
}

export interface ToolCallJudge {
  judge(call: ToolCallView): ToolCallVerdict;
  /** Whether a call to this tool must be held until complete (some policy could block it). */
  mayBlock(name: string): boolean;
  /**
   * Data that entered the context inside the answer, before the calls that follow it: classified
   * like the request's tool results; unless trusted, it makes the context untrusted from then on.
   */
  observeResult(result: AnswerToolResult): void;
}

/** Holds and judges tool calls in a streamed answer; forwards everything else at once. */
export interface StreamGuard {
  push(chunk: Buffer): Buffer | undefined;
  end(): Buffer | undefined;
  /** True while tool-call chunks are held back from the client. */
  holding(): boolean;
  /** Bytes that keep the client's stall timer quiet without changing the answer. */
  keepAlive(): Buffer;
}

/**
 * The StreamGuard of an SSE dialect that holds whole events: chunks go through `tap`; at the end
 * of the upstream body, whatever is still held is settled (judged and sent or replaced) with the
 * unfinished tail, if any.
 */
export function sseStreamGuard(
  tap: { push(chunk: Buffer): Buffer | undefined; end(): Buffer | undefined },
  holding: () => boolean,
  settle: (tail: Buffer) => Buffer,
): StreamGuard {
  return {
    push: (chunk) => tap.push(chunk),
    end: () => {
      const tail = tap.end();
      if (!holding()) return tail;
      const settled = settle(tail ?? Buffer.alloc(0));
      return settled.byteLength ? settled : undefined;
    },
    holding,
    keepAlive: () => Buffer.from(': keep-alive\n\n'),
  };
}

export interface ResponseToolDialect {
  /** The tool calls of a complete (non-streamed) answer. */
  toolCalls(body: Buffer): ToolCallView[];
  /** The answer with every tool call withheld and the refusal as the assistant's text; finish reason rewritten. */
  refuse(body: Buffer, refusal: string): Buffer;
  /** Results of tools the provider ran itself inside a complete answer, for dialects that have them. */
  answerToolResults?(body: Buffer): AnswerToolResult[];
  guardStream(judge: ToolCallJudge, onBlocked: (blocked: BlockedCall[]) => void, refusal: (blocked: BlockedCall[]) => string): StreamGuard;
}

/** What an endpoint that carries tools gives the security pipeline. */
export interface ToolExchange {
  request: RequestToolView;
  response: ResponseToolDialect;
}

/** The text that replaces withheld tool calls. */
export function refusalText(blocked: readonly BlockedCall[]): string {
  const lines = blocked.map(({ call, verdict }) => `- ${call.name}: blocked because ${verdict.reason}.`);
  return `Sluice blocked ${blocked.length === 1 ? 'a tool call' : `${blocked.length} tool calls`} of this answer:\n${lines.join('\n')}\nNo tool was run.`;
}

/** Parses a tool result or arguments text as JSON when it is JSON. */
export function parseMaybeJson(text: string): unknown {
  const trimmed = text.trim();
  if (trimmed === '' || !'{["0123456789-tfn'.includes(trimmed[0]!)) return text;
  try {
    return JSON.parse(trimmed);
  } catch {
    return text;
  }
}
