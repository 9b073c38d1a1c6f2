import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { observeMessageStream, summarizeMessage } from '../../lib/providers/anthropic/messages.ts';
import { anthropicDialect } from '../../lib/providers/anthropic/dialect.ts';
import { tokenUsageFromAnthropic } from '../../lib/providers/anthropic/usage.ts';
import { SluiceError } from '../../lib/errors/sluice-error.ts';
import { chunkings, pass } from '../support/chunking.ts';

const event = (name: string, data: unknown) => `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;

const STREAM = Buffer.from(
  [
    event('message_start', {
      type: 'message_start',
      message: {
        id: 'msg_1',
        type: 'message',
        role: 'assistant',
        model: 'claude-opus-x',
        content: [],
        usage: { input_tokens: 10, cache_read_input_tokens: 200, cache_creation_input_tokens: 0, output_tokens: 1 },
      },
    }),
    event('ping', { type: 'ping' }),
    event('content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }),
    event('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'héllo ✓' } }),
    event('content_block_stop', { type: 'content_block_stop', index: 0 }),
    event('message_delta', {
      type: 'message_delta',
      delta: { stop_reason: 'end_turn', stop_sequence: null },
      usage: { output_tokens: 42, cache_creation_input_tokens: 5, output_tokens_details: { thinking_tokens: 12 } },
    }),
    event('message_stop', { type: 'message_stop' }),
  ].join(''),
);

describe('Anthropic usage', () => {
  it('counts the whole prompt as input, with cache reads and writes also on their own', () => {
    expect(
      tokenUsageFromAnthropic({ input_tokens: 10, output_tokens: 4, cache_read_input_tokens: 100, cache_creation_input_tokens: 50 }),
    ).toEqual({ inputTokens: 160, outputTokens: 4, cacheReadTokens: 100, cacheWriteTokens: 50 });
    expect(tokenUsageFromAnthropic({ input_tokens: 3, output_tokens: 2, cache_read_input_tokens: null })).toEqual({
      inputTokens: 3,
      outputTokens: 2,
    });
    expect(tokenUsageFromAnthropic({ output_tokens: 7, output_tokens_details: { thinking_tokens: 5 } })).toEqual({
      outputTokens: 7,
      reasoningTokens: 5,
    });
  });

  it('reads a complete message', () => {
    const body = Buffer.from(
      JSON.stringify({ model: 'claude-x', stop_reason: 'tool_use', usage: { input_tokens: 5, output_tokens: 6 } }),
    );
    expect(summarizeMessage(body)).toEqual({ model: 'claude-x', finishReason: 'tool_use', usage: { inputTokens: 5, outputTokens: 6 } });
    expect(summarizeMessage(Buffer.from('not json'))).toEqual({});
  });
});

describe('the Messages stream observer', () => {
  it('forwards every byte unchanged and reads the same summary however the stream is cut', () => {
    fc.assert(
      fc.property(chunkings(STREAM), (chunks) => {
        const observer = observeMessageStream();
        expect(pass(observer, chunks).equals(STREAM)).toBe(true);
        expect(observer.summary()).toEqual({
          model: 'claude-opus-x',
          finishReason: 'end_turn',
          usage: { inputTokens: 215, outputTokens: 42, cacheReadTokens: 200, cacheWriteTokens: 5, reasoningTokens: 12 },
        });
        expect(observer.completed()).toBe(true);
        expect(observer.atEventBoundary()).toBe(true);
        expect(observer.upstreamFailure?.()).toBeUndefined();
      }),
    );
  });

  it('reads events that come without their event: line', () => {
    const unnamed = Buffer.from(
      STREAM.toString('utf8')
        .split('\n')
        .filter((line) => !line.startsWith('event:'))
        .join('\n'),
    );
    const observer = observeMessageStream();
    pass(observer, [unnamed]);
    expect(observer.summary().usage?.outputTokens).toBe(42);
    expect(observer.completed()).toBe(true);
  });

  it('knows when it stopped between events, and reports an error event', () => {
    const observer = observeMessageStream();
    observer.push(Buffer.from(event('message_start', { type: 'message_start', message: { usage: { input_tokens: 1 } } })));
    expect(observer.atEventBoundary()).toBe(true);
    observer.push(Buffer.from('event: content_block_delta\ndata: {"type":'));
    expect(observer.atEventBoundary()).toBe(false);
    observer.push(Buffer.from('"content_block_delta"}\n\n'));
    observer.push(Buffer.from(event('error', { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } })));
    observer.end();
    expect(observer.completed()).toBe(false);
    expect(observer.upstreamFailure?.()).toBe('overloaded_error: Overloaded');
  });
});

describe('the Anthropic dialect', () => {
  it('renders each kind with its Anthropic error type and status', () => {
    const rendered = anthropicDialect.renderError(new SluiceError('payload_too_large', 'too big'));
    expect(rendered.status).toBe(413);
    expect(JSON.parse(rendered.body)).toEqual({ type: 'error', error: { type: 'request_too_large', message: 'too big' } });
    expect(JSON.parse(anthropicDialect.renderError(new SluiceError('not_found', 'x')).body).error.type).toBe('not_found_error');
    expect(JSON.parse(anthropicDialect.renderError(new SluiceError('timeout', 'x')).body).error.type).toBe('timeout_error');
  });

  it('writes a stream error as an SSE error event', () => {
    expect(anthropicDialect.streamError(new SluiceError('upstream_error', 'broke')).toString()).toBe(
      'event: error\ndata: {"type":"error","error":{"type":"api_error","message":"broke"}}\n\n',
    );
  });
});
