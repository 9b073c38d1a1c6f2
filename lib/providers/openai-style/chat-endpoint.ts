import type { Config } from '../../config/index.ts';
import { observeChatCompletionStream, prepareChatBody, summarizeChatCompletion } from '../openai/chat-completions.ts';
import { chatRequestToolView, chatResponseToolDialect } from '../openai/chat-tools.ts';
import { forwardableHeaders } from '../shared/headers.ts';
import { exactPath, type Endpoint } from '../types.ts';
import { bearerAuthorization } from './provider.ts';

export interface ChatEndpointOptions {
  extraHeaders?: (config: Config) => Record<string, string>;
}

/** `POST …/chat/completions` for any OpenAI-style provider: forwarded as sent, usage always read. */
export function chatCompletionsEndpoint(options: ChatEndpointOptions = {}): Endpoint {
  return {
    operation: 'chat',
    method: 'POST',
    match: exactPath('/chat/completions'),
    prepare({ request, baseUrl, apiKey, config }) {
      const prepared = prepareChatBody(request.body);
      return {
        url: `${baseUrl}/chat/completions`,
        method: 'POST',
        headers: {
          ...forwardableHeaders(request),
          'content-type': 'application/json',
          ...bearerAuthorization(apiKey),
          ...options.extraHeaders?.(config),
        },
        body: prepared.body,
        model: prepared.model,
        stream: prepared.stream,
        summarize: summarizeChatCompletion,
        observe: () => observeChatCompletionStream(prepared.usageInjected),
        tools: carriesTools(prepared.json)
          ? { request: chatRequestToolView(prepared.json, prepared.serialize), response: chatResponseToolDialect }
          : undefined,
      };
    },
  };
}

/** Only requests that declare tools or carry tool results go through the tool policies. */
function carriesTools(json: Record<string, unknown>): boolean {
  if (Array.isArray(json.tools) && json.tools.length > 0) return true;
  if (Array.isArray(json.functions) && json.functions.length > 0) return true;
  return Array.isArray(json.messages) && json.messages.some((m: { role?: unknown }) => m?.role === 'tool' || m?.role === 'function');
}
