import type { Config } from '../../config/index.ts';
import {
  observeChatCompletionStream,
  prepareChatBody,
  readChatBody,
  summarizeChatCompletion,
} from '../openai/chat-completions.ts';
import { chatRequestToolView, chatResponseToolDialect } from '../openai/chat-tools.ts';
import { exactPath, type Endpoint } from '../types.ts';
import { bearerTarget, upstreamHeaders, type UpstreamTarget } from './upstream-target.ts';

export interface ChatEndpointOptions {
  /** Headers every call carries (used when no `target` is given). */
  extraHeaders?: (config: Config) => Record<string, string>;
  /** Where the call goes and how it authenticates; by default `<base URL>/chat/completions` with a bearer key. */
  target?: UpstreamTarget;
  /** The paths this endpoint answers; by default exactly `/chat/completions`. */
  match?: Endpoint['match'];
  /**
   * `ask` (default): when a stream is asked for without usage, Sluice adds
   * `stream_options.include_usage`. `sent-unasked`: the provider sends usage in its last chunk
   * anyway and refuses `stream_options` (Mistral), so the body is left alone.
   */
  streamUsage?: 'ask' | 'sent-unasked';
}

/** `POST …/chat/completions` for any OpenAI-style provider: forwarded as sent, usage always read. */
export function chatCompletionsEndpoint(options: ChatEndpointOptions = {}): Endpoint {
  const target = options.target ?? bearerTarget(options.extraHeaders);
  const read = options.streamUsage === 'sent-unasked' ? readChatBody : prepareChatBody;
  return {
    operation: 'chat',
    method: 'POST',
    match: options.match ?? exactPath('/chat/completions'),
    async prepare(input) {
      const prepared = read(input.request.body);
      return {
        url: target.url(input, '/chat/completions', prepared.model),
        method: 'POST',
        headers: await upstreamHeaders(input, target, true),
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
