import type { Usage } from '@pydantic/genai-prices';
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
      const price = calcPrice(catalogUsage(usage), target.model, { providerId: target.providerId, timestamp: at });
      if (price) return { costUsd: roundUsd(price.total_price), costStatus: 'priced', pricedModel: price.model.id };
    } catch {
      status = 'invalid_usage';
    }
  }
  return { costStatus: status };
}
