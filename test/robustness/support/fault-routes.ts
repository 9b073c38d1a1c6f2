import type { FormatName } from '../../fakes/faults.ts';
import type { DialectName } from './dialects.ts';

/** A request in each stream format: streamed, and whole (for the answers that are not streams). */
export interface Route {
  dialect: DialectName;
  headers: Record<string, string>;
  stream: { path: string; body: unknown };
  whole: { path: string; body: unknown };
}

const chat = [{ role: 'user', content: 'Hi' }];
export const routes: Record<FormatName, Route> = {
  openai: {
    dialect: 'openai',
    headers: { authorization: 'Bearer sk-fault' },
    stream: { path: '/v1/openai/chat/completions', body: { model: 'gpt-4o-mini', messages: chat, stream: true, stream_options: { include_usage: true } } },
    whole: { path: '/v1/openai/chat/completions', body: { model: 'gpt-4o-mini', messages: chat } },
  },
  anthropic: {
    dialect: 'anthropic',
    headers: { 'x-api-key': 'sk-ant-fault' },
    stream: { path: '/v1/anthropic/v1/messages', body: { model: 'claude-sonnet-4', max_tokens: 64, messages: chat, stream: true } },
    whole: { path: '/v1/anthropic/v1/messages', body: { model: 'claude-sonnet-4', max_tokens: 64, messages: chat } },
  },
  geminiSse: {
    dialect: 'google',
    headers: { 'x-goog-api-key': 'gemini-fault' },
    stream: { path: '/v1/gemini/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse', body: { contents: [{ role: 'user', parts: [{ text: 'Hi' }] }] } },
    whole: { path: '/v1/gemini/v1beta/models/gemini-2.5-flash:generateContent', body: { contents: [{ role: 'user', parts: [{ text: 'Hi' }] }] } },
  },
  geminiArray: {
    dialect: 'google',
    headers: { 'x-goog-api-key': 'gemini-fault' },
    stream: { path: '/v1/gemini/v1beta/models/gemini-2.5-flash:streamGenerateContent', body: { contents: [{ role: 'user', parts: [{ text: 'Hi' }] }] } },
    whole: { path: '/v1/gemini/v1/models/gemini-2.5-flash:generateContent', body: { contents: [{ role: 'user', parts: [{ text: 'Hi' }] }] } },
  },
  bedrock: {
    dialect: 'aws',
    headers: { authorization: 'Bearer bedrock-fault' },
    stream: { path: '/v1/bedrock/model/anthropic.claude-3-haiku/converse-stream', body: { messages: [{ role: 'user', content: [{ text: 'Hi' }] }] } },
    whole: { path: '/v1/bedrock/model/anthropic.claude-3-haiku/converse', body: { messages: [{ role: 'user', content: [{ text: 'Hi' }] }] } },
  },
  cohereV2: {
    dialect: 'cohere',
    headers: { authorization: 'Bearer co-fault' },
    stream: { path: '/v1/cohere/v2/chat', body: { model: 'command-a', messages: chat, stream: true } },
    whole: { path: '/v1/cohere/v2/chat', body: { model: 'command-a', messages: chat } },
  },
  cohereV1: {
    dialect: 'cohere',
    headers: { authorization: 'Bearer co-fault' },
    stream: { path: '/v1/cohere/v1/chat', body: { message: 'Hi', stream: true } },
    whole: { path: '/v1/cohere/v1/chat', body: { message: 'Hi' } },
  },
};
