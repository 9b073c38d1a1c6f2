import type { PriceCalculationResult, Provider, Usage } from '@pydantic/genai-prices';
import { catalogCalcPrice } from './price-catalog.ts';
import type { CostStatus, TokenUsage } from '../interactions/interaction.ts';
import { catalogTarget } from './provider-ids.ts';

export interface Cost {
  costUsd?: number;
  costStatus: CostStatus;
  /** The catalog's model id the price was taken from. */
  pricedModel?: string;
}

/** The catalog's usage keys, from Sluice's counts (both count input and output as totals). */
function catalogUsage(usage: TokenUsage): Usage {
  const catalog: Usage = { input_tokens: usage.inputTokens ?? 0, output_tokens: usage.outputTokens ?? 0 };
  if (usage.cacheReadTokens) catalog.cache_read_tokens = usage.cacheReadTokens;
  if (usage.cacheWriteTokens) catalog.cache_write_tokens = usage.cacheWriteTokens;
  // Priced apart by a few models (Perplexity's deep research); a part of output_tokens otherwise.
  if (usage.reasoningTokens && usage.reasoningTokens <= (usage.outputTokens ?? 0)) {
    catalog.output_reasoning_tokens = usage.reasoningTokens;
  }
  return catalog;
}

/** Rounds away binary noise (0.1 + 0.2) while keeping the fractions of a micro-dollar that small calls cost. */
const roundUsd = (usd: number) => Math.round(usd * 1e12) / 1e12;

type CalcPrice = NonNullable<ReturnType<typeof catalogCalcPrice>>;

/**
 * The catalog entry a provider and model id matched (its provider, narrowed to that one model), or
 * null for no match. Matching scans a provider's models and their match rules, most of calcPrice's
 * time, yet depends only on the two ids; the price in force is still chosen by calcPrice at each
 * call, since it depends on the time. Bounded: model ids come from requests.
 */
const matches = new Map<string, Provider | null>();
const MAX_MATCHES = 2000;

function calcPriceMatched(calcPrice: CalcPrice, usage: Usage, model: string, providerId: string, at: Date): PriceCalculationResult {
  // The catalog's `litellm` provider re-reads the provider from the model id: not memoized.
  if (providerId.toLowerCase() === 'litellm') return calcPrice(usage, model, { providerId, timestamp: at });
  const key = `${providerId}\u0000${model}`;
  const matched = matches.get(key);
  if (matched === null) return null;
  if (matched) return calcPrice(usage, model, { provider: matched, timestamp: at });
  const price = calcPrice(usage, model, { providerId, timestamp: at });
  if (matches.size >= MAX_MATCHES) matches.clear();
  matches.set(key, price ? { ...price.provider, models: [price.model] } : null);
  return price;
}

/**
 * What a call cost, from the price catalog (@pydantic/genai-prices: updating prices is a
 * dependency bump; loadPriceCatalog() must have resolved). The models are tried in order (the model that answered, then the one asked
 * for); cache reads and writes are priced at the model's cache prices; prices in force at `at`.
 */
export function priceUsage(provider: string, models: ReadonlyArray<string | undefined>, usage: TokenUsage, at: Date): Cost {
  if (usage.inputTokens === undefined && usage.outputTokens === undefined) return { costStatus: 'no_usage' };
  const calcPrice = catalogCalcPrice();
  if (!calcPrice) return { costStatus: 'catalog_unavailable' };
  let status: CostStatus = 'unknown_model';
  for (const model of models) {
    if (!model) continue;
    const target = catalogTarget(provider, model);
    if (target.providerId === null) return { costStatus: 'unpriced_provider' };
    try {
      const price = calcPriceMatched(calcPrice, catalogUsage(usage), target.model, target.providerId, at);
      if (price) return { costUsd: roundUsd(price.total_price), costStatus: 'priced', pricedModel: price.model.id };
    } catch {
      status = 'invalid_usage';
    }
  }
  return { costStatus: status };
}
