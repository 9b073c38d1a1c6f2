import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { StreamDecoder, StreamPart } from '../../lib/router/neutral.ts';
import { anthropicStream } from '../../lib/router/translate/anthropic/stream.ts';
import { bedrockStream } from '../../lib/router/translate/bedrock/stream.ts';
import { cohereStream } from '../../lib/router/translate/cohere/stream.ts';
import { geminiStream } from '../../lib/router/translate/gemini/stream.ts';
import { openAiChatStream } from '../../lib/router/translate/openai-chat/stream.ts';
import { converseFrames } from '../fakes/router/bedrock.ts';
import { chunkings } from '../support/chunking.ts';

const named = (events: Array<[string, unknown]>) => events.map(([name, data]) => `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`).join('');
const unnamed = (events: unknown[], eol = '\n') => events.map((data) => `data: ${typeof data === 'string' ? data : JSON.stringify(data)}${eol}${eol}`).join('');

function decode(decoder: StreamDecoder, chunks: readonly Buffer[]) {
  const parts: StreamPart[] = [];
  for (const chunk of chunks) parts.push(...decoder.push(chunk));
  parts.push(...decoder.end());
  return { parts, completed: decoder.completed(), failure: decoder.failure() };
}

/** Text and tool-argument deltas may be cut differently; what they add up to may not. */
function meaning(parts: readonly StreamPart[]) {
  const text = parts.filter((p) => p.type === 'text').map((p) => (p as { text: string }).text).join('');
  const reasoning = parts.filter((p) => p.type === 'reasoning').map((p) => (p as { text: string }).text).join('');
  const tools = parts.filter((p) => p.type === 'tool-start') as Array<Extract<StreamPart, { type: 'tool-start' }>>;
  const args = tools.map((t) => parts.filter((p) => p.type === 'tool-args' && p.index === t.index).map((p) => (p as { text: string }).text).join(''));
  // Ids Sluice makes up for providers that give none differ from run to run.
  const id = (value: string) => value.replace(/^call_[A-Za-z0-9]{24}/, 'call_*');
  const rest = parts.filter((p) => !['text', 'reasoning', 'tool-args'].includes(p.type)).map((p) => (p.type === 'tool-start' ? { ...p, id: id(p.id) } : p));
  return { text, reasoning, tools: tools.map((t, i) => ({ id: id(t.id), name: t.name, args: args[i] })), rest };
}

const anthropicBytes = Buffer.from(
  named([
    ['message_start', { type: 'message_start', message: { id: 'msg_1', model: 'claude-x', usage: { input_tokens: 10, cache_read_input_tokens: 5, output_tokens: 1 } } }],
    ['content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'thinking', thinking: '' } }],
    ['content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: 'Hmm, ünïcode 🤔' } }],
    ['content_block_start', { type: 'content_block_start', index: 1, content_block: { type: 'text', text: '' } }],
    ['content_block_delta', { type: 'content_block_delta', index: 1, delta: { type: 'text_delta', text: 'Let me check.' } }],
    ['content_block_start', { type: 'content_block_start', index: 2, content_block: { type: 'tool_use', id: 'toolu_1', name: 'w', input: {} } }],
    ['content_block_delta', { type: 'content_block_delta', index: 2, delta: { type: 'input_json_delta', partial_json: '{"city":' } }],
    ['content_block_delta', { type: 'content_block_delta', index: 2, delta: { type: 'input_json_delta', partial_json: '"Lisbon"}' } }],
    ['message_delta', { type: 'message_delta', delta: { stop_reason: 'tool_use' }, usage: { output_tokens: 30 } }],
    ['message_stop', { type: 'message_stop' }],
  ]),
);

const geminiBytes = Buffer.from(
  unnamed(
    [
      { candidates: [{ content: { parts: [{ text: 'Thinking', thought: true }] } }], modelVersion: 'gemini-x', responseId: 'r1' },
      { candidates: [{ content: { parts: [{ text: 'Héllo ' }] } }] },
      { candidates: [{ content: { parts: [{ functionCall: { name: 'w', args: { city: 'Lisbon' } }, thoughtSignature: 'sig' }] }, finishReason: 'STOP' }], usageMetadata: { promptTokenCount: 4, candidatesTokenCount: 2 } },
    ],
    '\r\n',
  ),
);

const cohereBytes = Buffer.from(
  named([
    ['message-start', { type: 'message-start', id: 'c1', delta: { message: { role: 'assistant' } } }],
    ['tool-plan-delta', { type: 'tool-plan-delta', delta: { message: { tool_plan: 'I will look.' } } }],
    ['tool-call-start', { type: 'tool-call-start', index: 0, delta: { message: { tool_calls: { id: 'w_1', type: 'function', function: { name: 'w', arguments: '' } } } } }],
    ['tool-call-delta', { type: 'tool-call-delta', index: 0, delta: { message: { tool_calls: { function: { arguments: '{"city":"Lisbon"}' } } } } }],
    ['tool-call-end', { type: 'tool-call-end', index: 0 }],
    ['message-end', { type: 'message-end', delta: { finish_reason: 'TOOL_CALL', usage: { billed_units: { input_tokens: 3, output_tokens: 4 } } } }],
  ]),
);

const openAiBytes = Buffer.from(
  unnamed([
    { id: 'c1', model: 'm', choices: [{ index: 0, delta: { role: 'assistant', content: '' } }] },
    { id: 'c1', model: 'm', choices: [{ index: 0, delta: { content: 'Hi ' } }] },
    { id: 'c1', model: 'm', choices: [{ index: 0, delta: { tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'w', arguments: '' } }] } }] },
    { id: 'c1', model: 'm', choices: [{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: '{"city":"Lisbon"}' } }] } }] },
    { id: 'c1', model: 'm', choices: [{ index: 0, delta: {}, finish_reason: 'tool_calls' }] },
    { id: 'c1', model: 'm', choices: [], usage: { prompt_tokens: 5, completion_tokens: 6 } },
    '[DONE]',
  ]),
);

const bedrockBytes = Buffer.concat(converseFrames({ reasoning: 'Pondering', toolUses: [{ toolUseId: 't1', name: 'w', input: { city: 'Lisbon' } }] }));

describe.each([
  ['Anthropic', anthropicStream, anthropicBytes, { text: 'Let me check.', reasoning: 'Hmm, ünïcode 🤔', id: 'toolu_1' }],
  ['Gemini', geminiStream, geminiBytes, { text: 'Héllo ', reasoning: 'Thinking', id: 'call' }],
  ['Cohere', cohereStream, cohereBytes, { text: 'I will look.', reasoning: '', id: 'w_1' }],
  ['OpenAI chat', openAiChatStream, openAiBytes, { text: 'Hi ', reasoning: '', id: 'call_1' }],
  ['Bedrock', bedrockStream, bedrockBytes, { text: '', reasoning: 'Pondering', id: 't1' }],
] as const)('the %s stream decoder', (_name, decoder, bytes, expected) => {
  const whole = decode(decoder(), [bytes]);

  it('reads text, reasoning, a tool call, the finish and the usage, and knows the stream is complete', () => {
    const read = meaning(whole.parts);
    expect(read.text).toBe(expected.text);
    expect(read.reasoning).toBe(expected.reasoning);
    expect(read.tools).toHaveLength(1);
    expect(read.tools[0]!.id.startsWith(expected.id)).toBe(true);
    expect(read.tools[0]).toMatchObject({ name: 'w', args: '{"city":"Lisbon"}' });
    expect(whole.parts).toContainEqual({ type: 'finish', reason: 'tool_calls' });
    expect(whole.parts.some((p) => p.type === 'usage')).toBe(true);
    expect(whole).toMatchObject({ completed: true, failure: undefined });
  });

  it('reads the same whatever the chunking', () => {
    fc.assert(
      fc.property(chunkings(bytes), (chunks) => {
        const cut = decode(decoder(), chunks);
        expect(meaning(cut.parts)).toEqual(meaning(whole.parts));
        expect(cut.completed).toBe(true);
      }),
      { numRuns: 60 },
    );
  });

  it('is not complete when cut short', () => {
    const cut = decode(decoder(), [bytes.subarray(0, Math.floor(bytes.length / 2))]);
    expect(cut.completed).toBe(false);
  });
});

describe('stream failures reported by the provider', () => {
  it('reads Anthropic error events, Cohere ERROR endings and Gemini error objects as failures', () => {
    expect(decode(anthropicStream(), [Buffer.from(named([['error', { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }]]))]).failure).toBe(
      'overloaded_error: Overloaded',
    );
    expect(decode(cohereStream(), [Buffer.from(named([['message-end', { type: 'message-end', delta: { finish_reason: 'ERROR', error: 'boom' } }]]))]).failure).toBe('boom');
    const gemini = decode(geminiStream(), [Buffer.from(unnamed([{ error: { code: 500, status: 'INTERNAL', message: 'oops' } }]))]);
    expect(gemini).toMatchObject({ failure: 'INTERNAL: oops', completed: false });
  });

  it('refuses a Bedrock frame whose length cannot be right', () => {
    expect(() => bedrockStream().push(Buffer.from([0, 0, 0, 4, 0, 0, 0, 0]))).toThrow(/event stream frame of 4 bytes/);
  });
});
