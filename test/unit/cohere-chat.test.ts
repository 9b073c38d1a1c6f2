import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SluiceError } from '../../lib/errors/sluice-error.ts';
import { observeChatV1Stream, summarizeChatV1 } from '../../lib/providers/cohere/chat-v1.ts';
import { observeChatV2Stream, summarizeChatV2 } from '../../lib/providers/cohere/chat-v2.ts';
import { cohereDialect, cohereV1StreamError } from '../../lib/providers/cohere/dialect.ts';
import { tokenUsageFromCohere } from '../../lib/providers/cohere/usage.ts';
import { chunkings, pass } from '../support/chunking.ts';

const usage = { billed_units: { input_tokens: 8, output_tokens: 6 }, tokens: { input_tokens: 70, output_tokens: 6 } };
const sse = (data: { type: string }) => `event: ${data.type}\ndata: ${JSON.stringify(data)}\n\n`;

const V2_STREAM = Buffer.from(
  [
    sse({ type: 'message-start', id: 'm1', delta: { message: { role: 'assistant' } } } as { type: string }),
    sse({ type: 'content-start', index: 0 } as { type: string }),
    sse({ type: 'content-delta', index: 0, delta: { message: { content: { text: 'grüße 🌍' } } } } as { type: string }),
    sse({ type: 'content-end', index: 0 } as { type: string }),
    sse({ type: 'message-end', delta: { finish_reason: 'COMPLETE', usage } } as { type: string }),
  ].join(''),
);

const V1_STREAM = Buffer.from(
  [
    { is_finished: false, event_type: 'stream-start', generation_id: 'g' },
    { is_finished: false, event_type: 'text-generation', text: 'grüße 🌍' },
    { is_finished: true, event_type: 'stream-end', finish_reason: 'COMPLETE', response: { text: 'grüße 🌍', meta: usage } },
  ]
    .map((line) => `${JSON.stringify(line)}\n`)
    .join(''),
);

describe('Cohere usage', () => {
  it('records the billed tokens, and the processed ones only when nothing is billed', () => {
    expect(tokenUsageFromCohere(usage)).toEqual({ inputTokens: 8, outputTokens: 6 });
    expect(tokenUsageFromCohere({ tokens: { input_tokens: 70, output_tokens: 6 } })).toEqual({ inputTokens: 70, outputTokens: 6 });
    expect(tokenUsageFromCohere({ api_version: { version: '1' } })).toBeUndefined();
    expect(tokenUsageFromCohere(null)).toBeUndefined();
  });

  it('reads complete v2 and v1 answers', () => {
    expect(summarizeChatV2(Buffer.from(JSON.stringify({ finish_reason: 'TOOL_CALL', usage })))).toEqual({
      finishReason: 'TOOL_CALL',
      usage: { inputTokens: 8, outputTokens: 6 },
    });
    expect(summarizeChatV1(Buffer.from(JSON.stringify({ text: 'x', finish_reason: 'COMPLETE', meta: usage })))).toEqual({
      finishReason: 'COMPLETE',
      usage: { inputTokens: 8, outputTokens: 6 },
    });
    expect(summarizeChatV2(Buffer.from('<html>'))).toEqual({});
    expect(summarizeChatV1(Buffer.from('<html>'))).toEqual({});
  });
});

describe('the v2 stream observer (SSE)', () => {
  it('forwards every byte unchanged and reads message-end however the stream is cut', () => {
    fc.assert(
      fc.property(chunkings(V2_STREAM), (chunks) => {
        const observer = observeChatV2Stream();
        expect(pass(observer, chunks).equals(V2_STREAM)).toBe(true);
        expect(observer.summary()).toEqual({ finishReason: 'COMPLETE', usage: { inputTokens: 8, outputTokens: 6 } });
        expect(observer.completed()).toBe(true);
        expect(observer.upstreamFailure?.()).toBeUndefined();
      }),
    );
  });

  it('reports a generation that ended with finish reason ERROR', () => {
    const observer = observeChatV2Stream();
    pass(observer, [Buffer.from(sse({ type: 'message-end', delta: { finish_reason: 'ERROR', error: 'boom' } } as { type: string }))]);
    expect(observer.completed()).toBe(true);
    expect(observer.upstreamFailure?.()).toBe('boom');
  });

  it('reads the stream Sluice itself ends with after a break', () => {
    const observer = observeChatV2Stream();
    pass(observer, [cohereDialect.streamError(new SluiceError('upstream_error', 'broke'))]);
    expect(observer.upstreamFailure?.()).toBe('broke');
  });
});

describe('the v1 stream observer (NDJSON)', () => {
  it('forwards every byte unchanged and reads stream-end however the stream is cut', () => {
    fc.assert(
      fc.property(chunkings(V1_STREAM), (chunks) => {
        const observer = observeChatV1Stream();
        expect(pass(observer, chunks).equals(V1_STREAM)).toBe(true);
        expect(observer.summary()).toEqual({ finishReason: 'COMPLETE', usage: { inputTokens: 8, outputTokens: 6 } });
        expect(observer.completed()).toBe(true);
        expect(observer.atEventBoundary()).toBe(true);
      }),
    );
  });

  it('reads a last line without its newline, CRLF lines, and knows when it stopped mid-line', () => {
    const observer = observeChatV1Stream();
    observer.push(Buffer.from('{"event_type":"stream-start"}\r\n'));
    expect(observer.atEventBoundary()).toBe(true);
    observer.push(Buffer.from('{"event_type":"stream-end","finish_reason":"MAX_TOKENS","response":{"meta":'));
    expect(observer.atEventBoundary()).toBe(false);
    expect(observer.completed()).toBe(false);
    observer.push(Buffer.from('{"tokens":{"input_tokens":3,"output_tokens":4}}}}'));
    observer.end();
    expect(observer.completed()).toBe(true);
    expect(observer.summary()).toEqual({ finishReason: 'MAX_TOKENS', usage: { inputTokens: 3, outputTokens: 4 } });
  });

  it('reads the line Sluice itself ends with after a break', () => {
    const observer = observeChatV1Stream();
    pass(observer, [cohereV1StreamError(new SluiceError('upstream_error', 'broke'))]);
    expect(observer.upstreamFailure?.()).toBe('broke');
  });
});
