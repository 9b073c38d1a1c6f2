import type { LimitMetric } from './limit.ts';

/**
 * Counters hold integers, so concurrent ADDs never accumulate rounding: tokens as they are, costs
 * in nano-dollars (a call of a few tokens costs fractions of a micro-dollar).
 */
const NANO_USD_PER_USD = 1e9;

/** A reservation rounds up: a limit is never passed by rounding. */
export function unitsUp(metric: LimitMetric, value: number): number {
  return Math.ceil(metric === 'cost_usd' ? value * NANO_USD_PER_USD : value);
}

export function unitsNearest(metric: LimitMetric, value: number): number {
  return Math.round(metric === 'cost_usd' ? value * NANO_USD_PER_USD : value);
}

export function fromUnits(metric: LimitMetric, units: number): number {
  return metric === 'cost_usd' ? units / NANO_USD_PER_USD : units;
}

/** `$4.250000` or `12,000 tokens`, for messages. */
export function describeAmount(metric: LimitMetric, units: number): string {
  const value = fromUnits(metric, units);
  if (metric === 'cost_usd') return `$${value.toFixed(6)}`;
  return `${value.toLocaleString('en-US')} token${value === 1 ? '' : 's'}`;
}

/** A header value: dollars with six decimals, or whole tokens; never negative. */
export function headerAmount(metric: LimitMetric, units: number): string {
  const value = fromUnits(metric, Math.max(0, units));
  return metric === 'cost_usd' ? value.toFixed(6) : String(value);
}
