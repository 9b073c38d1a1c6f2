import { describe, expect, it } from 'vitest';
import { tokenUsageFromOpenAi } from '../../lib/providers/openai/usage.ts';

describe('tokenUsageFromOpenAi', () => {
  it('reads Chat Completions usage: input includes the cached tokens', () => {
    expect(
      tokenUsageFromOpenAi({
        prompt_tokens: 2000,
        completion_tokens: 300,
        prompt_tokens_details: { cached_tokens: 1500 },
        completion_tokens_details: { reasoning_tokens: 100 },
      }),
    ).toEqual({ inputTokens: 2000, outputTokens: 300, cacheReadTokens: 1500, reasoningTokens: 100 });
  });

  it('reads Responses API usage', () => {
    expect(
      tokenUsageFromOpenAi({ input_tokens: 50, output_tokens: 5, input_tokens_details: { cached_tokens: 0 }, output_tokens_details: { reasoning_tokens: 2 } }),
    ).toEqual({ inputTokens: 50, outputTokens: 5, cacheReadTokens: 0, reasoningTokens: 2 });
  });

  it('reads cache writes where an OpenAI-compatible provider reports them (OpenRouter)', () => {
    expect(
      tokenUsageFromOpenAi({ prompt_tokens: 194, completion_tokens: 2, prompt_tokens_details: { cached_tokens: 0, cache_write_tokens: 100 } }),
    ).toEqual({ inputTokens: 194, outputTokens: 2, cacheReadTokens: 0, cacheWriteTokens: 100 });
  });

  it('reads DeepSeek’s cache hits as cache reads', () => {
    expect(tokenUsageFromOpenAi({ prompt_tokens: 100, completion_tokens: 9, prompt_cache_hit_tokens: 64, prompt_cache_miss_tokens: 36 })).toEqual({
      inputTokens: 100,
      outputTokens: 9,
      cacheReadTokens: 64,
    });
  });

  it('ignores what is not usage', () => {
    expect(tokenUsageFromOpenAi(null)).toBeUndefined();
    expect(tokenUsageFromOpenAi({ prompt_tokens: -1, completion_tokens: 'x' })).toEqual({});
  });
});
