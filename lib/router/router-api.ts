import { chatRequestToolView, chatResponseToolDialect } from '../providers/openai/chat-tools.ts';
import { responsesCarryTools, responsesRequestToolView, responsesToolDialect } from '../providers/openai/responses-tools.ts';
import type { JsonObject } from '../providers/shared/json-body.ts';
import type { Endpoint } from '../providers/types.ts';
import type { ToolExchange } from '../security/tool-view.ts';
import type { FinishReason, RouterCompletion, RouterRequest, RouterUsage, StreamPart } from './neutral.ts';
import { ChatChunkEncoder, chatCompletion } from './openai/chat-output.ts';
import { readChatRequest } from './openai/chat-request.ts';
import { readResponsesRequest } from './openai/responses-request.ts';
import { responseEcho, ResponsesEventEncoder, responseFromCompletion } from './openai/responses-output.ts';
import type { OpenAiStyleTarget } from './targets/types.ts';

export interface StreamEncoder {
  write(parts: readonly StreamPart[]): string;
  finish(): string;
  error(message: string): string;
  summary(): { model: string; finishReason: FinishReason | undefined; usage: RouterUsage | undefined };
}

/** One of the two OpenAI APIs the router serves: how it is read, written, and sent as it is. */
export interface RouterApi {
  operation: 'chat' | 'responses';
  path: '/chat/completions' | '/responses';
  read(json: JsonObject, providerName: string): { request: RouterRequest; includeUsage: boolean };
  /** The endpoint of an OpenAI-style provider that takes this API unchanged, if it has one. */
  nativeEndpoint(target: OpenAiStyleTarget): Endpoint | undefined;
  whole(completion: RouterCompletion, model: string, json: JsonObject): unknown;
  encoder(model: string, json: JsonObject, includeUsage: boolean): StreamEncoder;
  /** The security pipeline's view of the request's tools, when it has any. */
  tools(json: JsonObject): ToolExchange | undefined;
}

function carriesTools(json: JsonObject): boolean {
  if (Array.isArray(json.tools) && json.tools.length > 0) return true;
  return Array.isArray(json.messages) && json.messages.some((m: { role?: unknown }) => m?.role === 'tool');
}

export const chatApi: RouterApi = {
  operation: 'chat',
  path: '/chat/completions',
  read: readChatRequest,
  nativeEndpoint: (target) => target.chat,
  whole: (completion, model) => chatCompletion(completion, model),
  encoder: (model, _json, includeUsage) => new ChatChunkEncoder(model, includeUsage),
  // The router answers in Chat Completions whatever the provider, so the OpenAI chat view judges
  // translated answers too; policies that rewrite tool results change `json`, read again when sent.
  tools: (json) =>
    carriesTools(json) ? { request: chatRequestToolView(json, () => Buffer.from(JSON.stringify(json))), response: chatResponseToolDialect } : undefined,
};

export const responsesApi: RouterApi = {
  operation: 'responses',
  path: '/responses',
  read: (json, providerName) => ({ request: readResponsesRequest(json, providerName), includeUsage: false }),
  nativeEndpoint: (target) => target.responses,
  whole: (completion, model, json) => responseFromCompletion(completion, model, responseEcho(json)),
  encoder: (model, json) => new ResponsesEventEncoder(model, responseEcho(json)),
  // The router answers in the Responses API whatever the provider, so the native Responses view
  // judges translated answers too; policies that rewrite tool results change `json`, read again when sent.
  tools: (json) => (responsesCarryTools(json) ? { request: responsesRequestToolView(json), response: responsesToolDialect } : undefined),
};
