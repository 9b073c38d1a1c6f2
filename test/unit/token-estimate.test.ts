import { beforeAll, describe, expect, it } from 'vitest';
import { recordedUsage } from '../../lib/interactions/recorded-usage.ts';
import { ResponseSample } from '../../lib/interactions/response-sample.ts';
import { estimateRequestTokens, estimateResponseTokens, estimateTokens } from '../../lib/interactions/token-estimate.ts';
import { loadPriceCatalog } from '../../lib/pricing/price-catalog.ts';

// Sluice loads the price catalog lazily; the request path awaits it before pricing.
beforeAll(() => loadPriceCatalog());

const AT = new Date('2025-09-01T00:00:00Z');

describe('estimateTokens', () => {
  it.each([
    // counts of OpenAI's cl100k tokenizer for these well-known strings
    ['The quick brown fox jumps over the lazy dog.', 10],
    ['Hello, world!', 4],
    ['', 0],
  ])('%j → %i', (text, tokens) => {
    expect(estimateTokens(text)).toBe(tokens);
  });

  it('counts digits in groups of three, not characters/4', () => {
    expect(estimateTokens('1234567890')).toBe(4);
  });

  it('counts about one token per CJK character, not a quarter', () => {
    expect(estimateTokens('今日は良い天気です')).toBe(9);
    expect(estimateTokens('abc中文')).toBe(3);
  });

  it('splits long words', () => {
    expect(estimateTokens('internationalization')).toBe(4);
    expect(estimateTokens('naïve café')).toBe(2);
  });
});

describe('request and response estimates', () => {
  it('reads a JSON request body, leaving inline images out', () => {
    const image = `data:image/png;base64,${'A'.repeat(10_000)}`;
    const withImage = Buffer.from(
      JSON.stringify({ model: 'm', messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }, { type: 'image_url', image_url: { url: image } }] }] }),
    );
    const without = Buffer.from(JSON.stringify({ model: 'm', messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }, { type: 'image_url', image_url: { url: '' } }] }] }));
    expect(estimateRequestTokens(withImage)).toBe(estimateRequestTokens(without));
    expect(estimateRequestTokens(Buffer.from('not json at all'))).toBe(4);
  });

  it('counts the generated text of an SSE stream, not its framing', () => {
    const events = ['The quick brown fox', ' jumps over the lazy dog.'].map(
      (content) => `data: ${JSON.stringify({ id: 'chatcmpl-1', object: 'chat.completion.chunk', model: 'gpt-4o', choices: [{ index: 0, delta: { content } }] })}\n\n`,
    );
    const stream = Buffer.from(`${events.join('')}data: [DONE]\n\n`);
    expect(estimateResponseTokens([stream], stream.byteLength)).toBe(10);
  });

  it('counts an Anthropic-style stream and a whole JSON answer with tool arguments', () => {
    const anthropic = Buffer.from(
      'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hello, world!"}}\n\n',
    );
    expect(estimateResponseTokens([anthropic], anthropic.byteLength)).toBe(4);
    const whole = Buffer.from(
      JSON.stringify({ choices: [{ message: { role: 'assistant', content: null, tool_calls: [{ function: { name: 'f', arguments: '{"city":"Paris"}' } }] } }] }),
    );
    expect(estimateResponseTokens([whole], whole.byteLength)).toBe(estimateTokens('{"city":"Paris"}'));
  });

  it('scales the estimate when only the start of a long answer was kept', () => {
    const part = Buffer.from(JSON.stringify({ content: 'The quick brown fox jumps over the lazy dog.' }));
    expect(estimateResponseTokens([part], part.byteLength * 3)).toBe(30);
  });

  it('reads the text fields of JSON inside binary framing (a Bedrock event stream)', () => {
    const frame = (payload: unknown) => Buffer.concat([Buffer.from([0, 0, 0, 90, 0, 0, 0, 40, 1, 2, 3, 4]), Buffer.from(JSON.stringify(payload)), Buffer.from([9, 9, 9, 9])]);
    const stream = Buffer.concat([frame({ role: 'assistant' }), frame({ contentBlockIndex: 0, delta: { text: 'Hello there, world' } })]);
    expect(estimateResponseTokens([stream], stream.byteLength)).toBe(estimateTokens('Hello there, world'));
  });

  it('gives up on bytes it cannot read', () => {
    expect(estimateResponseTokens([Buffer.from([0, 0, 0, 42, 1, 2, 3])], 7)).toBeUndefined();
    expect(estimateResponseTokens([], 0)).toBeUndefined();
  });

  it('keeps a bounded sample of the answer', () => {
    const sample = new ResponseSample();
    for (let i = 0; i < 5; i++) sample.add(Buffer.alloc(400 * 1024));
    expect(sample.totalBytes).toBe(5 * 400 * 1024);
    expect(sample.keptBytes).toBe(1024 * 1024);
  });
});

describe('recordedUsage', () => {
  const body = Buffer.from(JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Say hello' }] }));
  const answer = () => {
    const sample = new ResponseSample();
    sample.add(Buffer.from(JSON.stringify({ choices: [{ message: { role: 'assistant', content: 'Hello, world!' } }] })));
    return sample;
  };

  it('keeps reported usage as it is, and prices it', () => {
    const usage = recordedUsage({ provider: 'openai', models: ['gpt-4o-mini'], reported: { inputTokens: 12, outputTokens: 7 }, requestBody: body, response: answer(), at: AT });
    expect(usage.tokensEstimated).toBeUndefined();
    expect(usage).toMatchObject({ inputTokens: 12, outputTokens: 7, costStatus: 'priced', pricedModel: 'gpt-4o-mini' });
    expect(usage.costUsd).toBeGreaterThan(0);
  });

  it('estimates what the provider did not report, and says so', () => {
    const usage = recordedUsage({ provider: 'openai', models: ['gpt-4o-mini'], reported: undefined, requestBody: body, response: answer(), at: AT });
    expect(usage).toMatchObject({ tokensEstimated: true, outputTokens: 4, costStatus: 'priced' });
    expect(usage.inputTokens).toBe(estimateRequestTokens(body));
  });

  it('keeps a partial report as it is (embeddings report no output tokens)', () => {
    const partial = recordedUsage({ provider: 'openai', models: ['text-embedding-3-small'], reported: { inputTokens: 50 }, requestBody: body, response: answer(), at: AT });
    expect(partial.tokensEstimated).toBeUndefined();
    expect(partial).toMatchObject({ inputTokens: 50, costStatus: 'priced' });
    expect(partial).not.toHaveProperty('outputTokens');
  });

  it('estimates the output seen so far of a stream cut short, when its partial report says less', () => {
    const sample = new ResponseSample();
    sample.add(Buffer.from(`data: ${JSON.stringify({ candidates: [{ content: { parts: [{ text: 'The quick brown fox jumps' }] } }], usageMetadata: { promptTokenCount: 11 } })}\n\n`));
    const cut = recordedUsage({ provider: 'gemini', models: ['gemini-2.5-flash'], reported: { inputTokens: 11 }, requestBody: body, response: sample, incomplete: true, at: AT });
    expect(cut).toMatchObject({ inputTokens: 11, outputTokens: estimateTokens('The quick brown fox jumps'), tokensEstimated: true });
    const reportedMore = recordedUsage({ provider: 'gemini', models: ['gemini-2.5-flash'], reported: { inputTokens: 11, outputTokens: 40 }, requestBody: body, response: sample, incomplete: true, at: AT });
    expect(reportedMore.tokensEstimated).toBeUndefined();
    expect(reportedMore.outputTokens).toBe(40);
  });

  it('estimates nothing when no answer was relayed (nothing is billed)', () => {
    const usage = recordedUsage({ provider: 'openai', models: ['gpt-4o-mini'], reported: undefined, requestBody: body, response: undefined, at: AT });
    expect(usage).toEqual({ costStatus: 'no_usage' });
  });
});
