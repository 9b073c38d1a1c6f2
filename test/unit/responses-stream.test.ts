import { describe, expect, it } from 'vitest';
import { observeResponseStream, summarizeResponse } from '../../lib/providers/openai/responses.ts';

const usage = { input_tokens: 30, input_tokens_details: { cached_tokens: 10 }, output_tokens: 5, output_tokens_details: { reasoning_tokens: 3 }, total_tokens: 35 };

function sse(type: string, data: object, withEventLine = true): string {
  return `${withEventLine ? `event: ${type}\n` : ''}data: ${JSON.stringify({ type, ...data })}\n\n`;
}

function stream(withEventLines: boolean, terminal = 'response.completed'): string {
  return [
    sse('response.created', { sequence_number: 0, response: { id: 'r', model: 'gpt-x', status: 'in_progress', usage: null } }, withEventLines),
    sse('response.output_text.delta', { sequence_number: 1, item_id: 'm', output_index: 0, content_index: 0, delta: '"usage":{"input_tokens":999}' }, withEventLines),
    sse(terminal, { sequence_number: 2, response: { id: 'r', model: 'gpt-x-2025', status: terminal.slice('response.'.length), usage, incomplete_details: terminal === 'response.incomplete' ? { reason: 'max_output_tokens' } : null } }, withEventLines),
  ].join('');
}

function feed(text: string, pieceSize: number) {
  const observer = observeResponseStream();
  const bytes = Buffer.from(text);
  const out: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += pieceSize) {
    const piece = observer.push(bytes.subarray(i, i + pieceSize));
    if (piece) out.push(piece);
  }
  observer.end();
  return { observer, forwarded: Buffer.concat(out).toString() };
}

describe('the Responses stream observer', () => {
  it.each([
    ['with event lines, whole', true, 1_000_000],
    ['with event lines, byte by byte', true, 1],
    ['data lines only, in 7-byte pieces', false, 7],
  ])('%s: forwards every byte and reads usage from response.completed only', (_label, withEventLines, pieceSize) => {
    const text = stream(withEventLines);
    const { observer, forwarded } = feed(text, pieceSize);
    expect(forwarded).toBe(text);
    expect(observer.completed()).toBe(true);
    expect(observer.summary()).toEqual({
      model: 'gpt-x-2025',
      finishReason: 'completed',
      usage: { inputTokens: 30, outputTokens: 5, cacheReadTokens: 10, reasoningTokens: 3 },
    });
  });

  it('treats response.incomplete and error as the end, and a stream without either as cut', () => {
    const incomplete = feed(stream(true, 'response.incomplete'), 64).observer;
    expect(incomplete.completed()).toBe(true);
    expect(incomplete.summary().finishReason).toBe('max_output_tokens');

    const errored = feed(sse('error', { sequence_number: 0, code: 'server_error', message: 'boom' }), 64).observer;
    expect(errored.completed()).toBe(true);
    expect(errored.summary().finishReason).toBe('error');

    const cut = feed(stream(true).split('event: response.completed')[0]!, 64).observer;
    expect(cut.completed()).toBe(false);
    expect(cut.summary().usage).toBeUndefined();
  });

  it('summarizes a whole response, and shrugs at a body that is not JSON', () => {
    expect(summarizeResponse(Buffer.from(JSON.stringify({ model: 'm', status: 'completed', usage })))).toMatchObject({
      model: 'm',
      usage: { inputTokens: 30, outputTokens: 5 },
    });
    expect(summarizeResponse(Buffer.from('<html>'))).toEqual({});
  });
});
