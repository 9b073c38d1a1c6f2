import OpenAI, { APIError } from 'openai';
import { describe, expect, it } from 'vitest';
import type { StreamPart } from '../../lib/router/neutral.ts';
import { ChatChunkEncoder } from '../../lib/router/openai/chat-output.ts';
import { ResponsesEventEncoder, responseFromCompletion } from '../../lib/router/openai/responses-output.ts';

/** An openai client whose every request is answered with this body: the SDK's own parsing is the check. */
function answering(body: string, contentType = 'text/event-stream'): OpenAI {
  return new OpenAI({
    apiKey: 'test',
    baseURL: 'http://router.invalid/v1',
    maxRetries: 0,
    fetch: async () => new Response(body, { status: 200, headers: { 'content-type': contentType } }),
  });
}

const parts: StreamPart[] = [
  { type: 'meta', id: 'abc', model: 'provider-model-1' },
  { type: 'reasoning', text: 'First ' },
  { type: 'reasoning', text: 'thoughts.' },
  { type: 'text', text: 'Let me ' },
  { type: 'text', text: 'call two tools.' },
  { type: 'tool-start', index: 0, id: 'call_a', name: 'alpha' },
  { type: 'tool-start', index: 1, id: 'call_b', name: 'beta' },
  { type: 'tool-args', index: 1, text: '{"y":' },
  { type: 'tool-args', index: 0, text: '{"x":1}' },
  { type: 'tool-args', index: 1, text: '2}' },
  { type: 'finish', reason: 'tool_calls' },
  { type: 'usage', usage: { inputTokens: 10, outputTokens: 20, cacheReadTokens: 3, reasoningTokens: 5 } },
];

function encodeChat(includeUsage: boolean): string {
  const encoder = new ChatChunkEncoder('asked-model', includeUsage);
  return parts.map((part) => encoder.write([part])).join('') + encoder.finish();
}

function encodeResponses(): string {
  const encoder = new ResponsesEventEncoder('asked-model', { tools: [], store: false });
  return parts.map((part) => encoder.write([part])).join('') + encoder.finish();
}

describe('the Chat Completions stream the router writes', () => {
  it('is assembled by the SDK stream helper: reasoning, text, parallel tool calls, finish, usage', async () => {
    const stream = answering(encodeChat(true)).chat.completions.stream({ model: 'x', messages: [], stream_options: { include_usage: true } });
    let reasoning = '';
    stream.on('chunk', (chunk) => {
      reasoning += (chunk.choices[0]?.delta as { reasoning_content?: string } | undefined)?.reasoning_content ?? '';
    });
    const final = await stream.finalChatCompletion();
    expect(final.id).toBe('chatcmpl-abc');
    expect(final.model).toBe('provider-model-1');
    expect(final.choices[0]!.message.content).toBe('Let me call two tools.');
    // Reasoning deltas, as DeepSeek-style servers send them (the helper keeps only the last of a field it does not know).
    expect(reasoning).toBe('First thoughts.');
    expect(final.choices[0]!.message.tool_calls).toEqual([
      { id: 'call_a', type: 'function', function: { name: 'alpha', arguments: '{"x":1}' } },
      { id: 'call_b', type: 'function', function: { name: 'beta', arguments: '{"y":2}' } },
    ]);
    expect(final.choices[0]!.finish_reason).toBe('tool_calls');
    expect(final.usage).toMatchObject({ prompt_tokens: 10, completion_tokens: 20, prompt_tokens_details: { cached_tokens: 3 }, completion_tokens_details: { reasoning_tokens: 5 } });
  });

  it('starts with the role, and sends a usage chunk only when asked', () => {
    const without = encodeChat(false);
    expect(without.startsWith('data: {')).toBe(true);
    expect(JSON.parse(without.split('\n\n')[0]!.slice(6)).choices[0].delta).toEqual({ role: 'assistant', content: '' });
    expect(without).not.toContain('"usage"');
    expect(without.endsWith('data: [DONE]\n\n')).toBe(true);
    expect(encodeChat(true)).toContain('"choices":[],"usage"');
  });

  it('ends an upstream failure with an error event the SDK raises', async () => {
    const encoder = new ChatChunkEncoder('m', false);
    const body = encoder.write([{ type: 'text', text: 'partial' }]) + encoder.error('Provider: it broke');
    const stream = await answering(body).chat.completions.create({ model: 'x', messages: [], stream: true });
    const failure = await (async () => {
      for await (const _chunk of stream) {
        // read on
      }
    })().catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(APIError);
    expect((failure as APIError).message).toContain('Provider: it broke');
  });
});

describe('the Responses event stream the router writes', () => {
  it('is assembled by responses.stream(): items in order, each done, usage on completion', async () => {
    const stream = answering(encodeResponses()).responses.stream({ model: 'x', input: 'hi' });
    const types: string[] = [];
    stream.on('event', (event) => types.push(event.type));
    const final = await stream.finalResponse();
    expect(final.status).toBe('completed');
    expect(final.model).toBe('provider-model-1');
    expect(final.output.map((item) => item.type)).toEqual(['reasoning', 'message', 'function_call', 'function_call']);
    expect(final.output_text).toBe('Let me call two tools.');
    expect(final.output.filter((item) => item.type === 'function_call')).toMatchObject([
      { call_id: 'call_a', name: 'alpha', arguments: '{"x":1}', status: 'completed' },
      { call_id: 'call_b', name: 'beta', arguments: '{"y":2}', status: 'completed' },
    ]);
    expect(final.usage).toMatchObject({ input_tokens: 10, output_tokens: 20, output_tokens_details: { reasoning_tokens: 5 } });
    expect(types[0]).toBe('response.created');
    expect(types[1]).toBe('response.in_progress');
    expect(types.at(-1)).toBe('response.completed');
    const sequence = encodeResponses()
      .split('\n\n')
      .filter(Boolean)
      .map((event) => JSON.parse(event.split('\ndata: ')[1]!).sequence_number);
    expect(sequence).toEqual(sequence.map((_n, i) => i));
  });

  it('marks a cut-off answer incomplete, and an empty one as an empty message', async () => {
    const encoder = new ResponsesEventEncoder('m', {});
    const body = encoder.write([{ type: 'text', text: 'cut' }, { type: 'finish', reason: 'length' }]) + encoder.finish();
    const final = await answering(body).responses.stream({ model: 'x', input: 'hi' }).finalResponse();
    expect(final.status).toBe('incomplete');
    expect(final.incomplete_details).toEqual({ reason: 'max_output_tokens' });

    const empty = new ResponsesEventEncoder('m', {});
    const done = await answering(empty.finish()).responses.stream({ model: 'x', input: 'hi' }).finalResponse();
    expect(done.output).toMatchObject([{ type: 'message', content: [{ type: 'output_text', text: '' }] }]);
  });

  it('gives a whole completion the same shape', async () => {
    const response = responseFromCompletion(
      { model: 'm1', text: 'Hi', reasoning: '', toolCalls: [{ id: 'c1', name: 'f', arguments: '{}' }], finishReason: 'tool_calls' },
      'm',
      { store: false },
    );
    const parsed = await answering(JSON.stringify(response), 'application/json').responses.create({ model: 'x', input: 'hi' });
    expect(parsed.output_text).toBe('Hi');
    expect(parsed.output.map((item) => item.type)).toEqual(['message', 'function_call']);
  });

  it('ends an upstream failure with an error event the SDK raises', async () => {
    const encoder = new ResponsesEventEncoder('m', {});
    const body = encoder.write([{ type: 'text', text: 'partial' }]) + encoder.error('Provider: broke');
    const failure = await answering(body).responses.stream({ model: 'x', input: 'hi' }).finalResponse().catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(APIError);
    expect((failure as APIError).message).toContain('Provider: broke');
  });
});
