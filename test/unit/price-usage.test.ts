import { findProvider, type ModelPrice } from '@pydantic/genai-prices';
import { beforeAll, describe, expect, it } from 'vitest';
import { priceUsage } from '../../lib/pricing/price-usage.ts';
import { catalogTarget } from '../../lib/pricing/provider-ids.ts';
import { loadPriceCatalog } from '../../lib/pricing/price-catalog.ts';

// Sluice loads the price catalog lazily; the request path awaits it before pricing.
beforeAll(() => loadPriceCatalog());

const AT = new Date('2025-09-01T12:00:00Z');

/** A model's flat per-million-token prices, read from the catalog itself. */
function catalogPrices(providerId: string, modelId: string): Record<string, number> {
  const provider = findProvider({ providerId });
  const model = provider?.models.find((m) => m.id === modelId);
  if (!model) throw new Error(`the catalog has no ${providerId}/${modelId}`);
  const prices = (Array.isArray(model.prices) ? model.prices.at(-1)!.prices : model.prices) as ModelPrice;
  const flat: Record<string, number> = {};
  for (const [key, value] of Object.entries(prices)) {
    if (typeof value !== 'number') throw new Error(`${modelId}: ${key} is tiered; pick a flat-priced model`);
    flat[key] = value;
  }
  return flat;
}

/** input_mtok for the uncached part, cache_read_mtok / cache_write_mtok for the cached ones (input_mtok where the model has none). */
function expectedCost(prices: Record<string, number>, usage: { input: number; cacheRead: number; cacheWrite: number; output: number }): number {
  const perToken = (mtok: number | undefined) => (mtok ?? prices.input_mtok!) / 1e6;
  const uncached = usage.input - usage.cacheRead - usage.cacheWrite;
  return (
    uncached * perToken(prices.input_mtok) +
    usage.cacheRead * perToken(prices.cache_read_mtok) +
    usage.cacheWrite * perToken(prices.cache_write_mtok) +
    usage.output * prices.output_mtok! / 1e6
  );
}

describe('priceUsage with cache tokens, against the catalog’s own prices', () => {
  // inputTokens is the total, cache tokens included (see lib/interactions/interaction.ts).
  const usage = { input: 10_000, cacheRead: 6_000, cacheWrite: 1_500, output: 800 };
  const tokenUsage = {
    inputTokens: usage.input,
    cacheReadTokens: usage.cacheRead,
    cacheWriteTokens: usage.cacheWrite,
    outputTokens: usage.output,
  };

  it.each([
    // [Sluice provider, model as the upstream names it, catalog provider, catalog model id]
    ['openai', 'gpt-4o-mini-2024-07-18', 'openai', 'gpt-4o-mini'],
    ['anthropic', 'claude-sonnet-4-20250514', 'anthropic', 'claude-sonnet-4-0'],
    ['gemini', 'gemini-2.5-flash', 'google', 'gemini-2.5-flash'],
    ['bedrock', 'us.anthropic.claude-3-7-sonnet-20250219-v1:0', 'aws', 'regional.anthropic.claude-3-7-sonnet-20250219-v1:0'],
    ['bedrock', 'amazon.nova-pro-v1:0', 'aws', 'amazon.nova-pro-v1:0'],
  ])('%s %s', (provider, model, catalogProvider, catalogModel) => {
    const prices = catalogPrices(catalogProvider, catalogModel);
    expect(prices.cache_read_mtok).toBeLessThan(prices.input_mtok!);
    const cost = priceUsage(provider, [model], tokenUsage, AT);
    expect(cost.costStatus).toBe('priced');
    expect(cost.pricedModel).toBe(catalogModel);
    expect(cost.costUsd).toBeCloseTo(expectedCost(prices, usage), 10);
    // cache reads make the call cheaper than the same tokens uncached
    const uncached = priceUsage(provider, [model], { inputTokens: usage.input, outputTokens: usage.output }, AT);
    expect(cost.costUsd!).toBeLessThan(uncached.costUsd!);
  });

  it('prices cache writes above plain input where the catalog says so (Anthropic)', () => {
    const prices = catalogPrices('anthropic', 'claude-sonnet-4-0');
    expect(prices.cache_write_mtok).toBeGreaterThan(prices.input_mtok!);
    const written = priceUsage('anthropic', ['claude-sonnet-4-20250514'], { inputTokens: 1000, cacheWriteTokens: 1000, outputTokens: 0 }, AT);
    expect(written.costUsd).toBeCloseTo((1000 * prices.cache_write_mtok!) / 1e6, 12);
  });
});

describe('priceUsage statuses', () => {
  const tokens = { inputTokens: 100, outputTokens: 20 };

  it('gives no cost for a model the catalog does not know, and says so', () => {
    const cost = priceUsage('openai', ['my-private-finetune'], tokens, AT);
    expect(cost).toEqual({ costStatus: 'unknown_model' });
  });

  it('gives no cost for self-hosted providers', () => {
    expect(priceUsage('vllm', ['gpt-4o'], tokens, AT)).toEqual({ costStatus: 'unpriced_provider' });
    expect(priceUsage('ollama', ['llama3'], tokens, AT)).toEqual({ costStatus: 'unpriced_provider' });
  });

  it('says no_usage when there are no token counts at all', () => {
    expect(priceUsage('openai', ['gpt-4o'], {}, AT)).toEqual({ costStatus: 'no_usage' });
  });

  it('says invalid_usage when cached tokens exceed the input', () => {
    expect(priceUsage('openai', ['gpt-4o'], { inputTokens: 10, cacheReadTokens: 50, outputTokens: 1 }, AT)).toEqual({
      costStatus: 'invalid_usage',
    });
  });

  it('prefers the model that answered, then falls back to the one asked for', () => {
    const answered = priceUsage('openai', ['gpt-4o-2024-08-06', 'my-alias'], tokens, AT);
    expect(answered.pricedModel).toBe('gpt-4o');
    const fallback = priceUsage('openai', ['my-deployment-name', 'gpt-4o-mini'], tokens, AT);
    expect(fallback.pricedModel).toBe('gpt-4o-mini');
  });

  it('maps Sluice provider ids onto the catalog’s, and reads the model router’s provider:model', () => {
    expect(catalogTarget('gemini', 'gemini-2.5-pro')).toEqual({ providerId: 'google', model: 'gemini-2.5-pro' });
    expect(catalogTarget('xai', 'grok-3')).toEqual({ providerId: 'x-ai', model: 'grok-3' });
    expect(catalogTarget('model-router', 'anthropic:claude-sonnet-4-0')).toEqual({ providerId: 'anthropic', model: 'claude-sonnet-4-0' });
    expect(catalogTarget('bedrock', 'amazon.nova-pro-v1:0')).toEqual({ providerId: 'aws', model: 'amazon.nova-pro-v1:0' });
    expect(catalogTarget('some-new-provider', 'm')).toEqual({ providerId: 'some-new-provider', model: 'm' });
    expect(priceUsage('model-router', ['groq:llama-3.3-70b-versatile'], tokens, AT).costStatus).toBe('priced');
  });

  it('prices reasoning tokens apart where the catalog does (Perplexity deep research)', () => {
    const prices = catalogPrices('perplexity', 'sonar-deep-research');
    const cost = priceUsage('perplexity', ['sonar-deep-research'], { inputTokens: 1000, outputTokens: 500, reasoningTokens: 400 }, AT);
    const expected = (1000 * prices.input_mtok! + 100 * prices.output_mtok! + 400 * prices.output_reasoning_mtok!) / 1e6 +
      (prices.requests_kcount ?? 0) / 1000;
    expect(cost.costUsd).toBeCloseTo(expected, 10);
  });
});

describe('priceUsage, called again for the same model', () => {
  const usage = { inputTokens: 12_000, cacheReadTokens: 2_000, outputTokens: 900 };

  it.each([
    ['openai', 'gpt-4o-mini-2024-07-18'],
    ['anthropic', 'claude-sonnet-4-20250514'],
    ['bedrock', 'us.anthropic.claude-3-7-sonnet-20250219-v1:0'],
    ['openai', 'no-such-model'],
  ])('%s %s costs the same as the first time', (provider, model) => {
    const first = priceUsage(provider, [model], usage, AT);
    expect(priceUsage(provider, [model], usage, AT)).toEqual(first);
    expect(priceUsage(provider, [model], { ...usage, outputTokens: 1 }, AT).costUsd).not.toBe(first.costUsd ?? -1);
  });

  it('still takes the price in force at the time of the call (DeepSeek’s off-peak hours)', () => {
    const peak = new Date('2025-09-01T10:00:00Z');
    const offPeak = new Date('2025-09-01T20:00:00Z');
    const atPeak = priceUsage('deepseek', ['deepseek-chat'], usage, peak);
    const atOffPeak = priceUsage('deepseek', ['deepseek-chat'], usage, offPeak);
    expect(atPeak.costUsd).toBeGreaterThan(atOffPeak.costUsd!);
    expect(priceUsage('deepseek', ['deepseek-chat'], usage, peak)).toEqual(atPeak);
    expect(priceUsage('deepseek', ['deepseek-chat'], usage, offPeak)).toEqual(atOffPeak);
  });
});
