import type { TokenUsage } from '../interactions/interaction.ts';

/**
 * The model router's provider-neutral view of one chat request and its answer. OpenAI Chat
 * Completions and Responses requests are read into it (lib/router/openai/*-request.ts); each
 * translated provider writes its native request from it and reads its native answer back into it
 * (lib/router/translate/<provider>/); the answer is then written out as Chat Completions or
 * Responses (lib/router/openai/*-output.ts).
 */

export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter';

/** Token counts as OpenAI reports them: input includes cached tokens, output includes reasoning. */
export type RouterUsage = TokenUsage;

export type ImageSource = { kind: 'data'; mediaType: string; base64: string } | { kind: 'url'; url: string };

export type UserPart = { type: 'text'; text: string } | { type: 'image'; image: ImageSource };

export interface ToolCall {
  id: string;
  name: string;
  /** The arguments as the model wrote them: a JSON text. */
  arguments: string;
}

export type RouterMessage =
  | { role: 'user'; content: UserPart[] }
  | { role: 'assistant'; text: string; toolCalls: ToolCall[] }
  | { role: 'tool'; toolCallId: string; content: string };

export interface ToolDefinition {
  name: string;
  description?: string;
  /** A JSON Schema object. */
  parameters: Record<string, unknown>;
  strict?: boolean;
}

export type ToolChoice = { type: 'auto' } | { type: 'none' } | { type: 'required' } | { type: 'function'; name: string };

export type OutputFormat =
  | { type: 'text' }
  | { type: 'json_object' }
  | { type: 'json_schema'; name: string; schema: Record<string, unknown>; description?: string; strict?: boolean };

export const reasoningEfforts = ['none', 'minimal', 'low', 'medium', 'high', 'xhigh'] as const;
export type ReasoningEffort = (typeof reasoningEfforts)[number];

export interface RouterRequest {
  /** System and developer messages (and Responses `instructions`), in order. */
  system: string[];
  messages: RouterMessage[];
  tools: ToolDefinition[];
  toolChoice?: ToolChoice;
  parallelToolCalls?: boolean;
  temperature?: number;
  topP?: number;
  maxTokens?: number;
  stop?: string[];
  seed?: number;
  frequencyPenalty?: number;
  presencePenalty?: number;
  format?: OutputFormat;
  reasoningEffort?: ReasoningEffort;
  stream: boolean;
}

/** A complete answer. */
export interface RouterCompletion {
  id?: string;
  /** The model the provider says answered, when it says. */
  model?: string;
  text: string;
  reasoning: string;
  toolCalls: ToolCall[];
  finishReason: FinishReason;
  usage?: RouterUsage;
}

/** One step of a streamed answer, as each provider's stream decoder reads it. */
export type StreamPart =
  | { type: 'meta'; id?: string; model?: string }
  | { type: 'text'; text: string }
  | { type: 'reasoning'; text: string }
  /** A tool call begins; `index` numbers the answer's tool calls from 0. */
  | { type: 'tool-start'; index: number; id: string; name: string }
  | { type: 'tool-args'; index: number; text: string }
  | { type: 'finish'; reason: FinishReason }
  | { type: 'usage'; usage: RouterUsage };

/**
 * Reads a provider's native stream. `push` may throw a SluiceError (malformed stream); a failure
 * the provider reports inside its stream is given by `failure()`, and the stream is whole only
 * when `completed()` says so after the last chunk.
 */
export interface StreamDecoder {
  push(chunk: Buffer): StreamPart[];
  end(): StreamPart[];
  completed(): boolean;
  failure(): string | undefined;
}

/** A tool call id for providers that do not name their calls. */
export function newToolCallId(): string {
  return `call_${randomToken(24)}`;
}

const ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

export function randomToken(length: number): string {
  const bytes = crypto.getRandomValues(new Uint8Array(length));
  let out = '';
  for (const byte of bytes) out += ALPHABET[byte % ALPHABET.length];
  return out;
}
