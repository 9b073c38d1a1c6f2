import type { calcPrice } from '@pydantic/genai-prices';

type CalcPrice = typeof calcPrice;

let loaded: CalcPrice | undefined;
let loading: Promise<void> | undefined;

/**
 * Loads the price catalog (@pydantic/genai-prices, about 0.5 MB of price data) once per process.
 * It is imported dynamically, and kept out of the function bundles, so a cold start does not parse
 * it before the first response: each request starts the load and awaits it only where a price is
 * needed (a limit's reservation, the record after the response).
 */
export function loadPriceCatalog(): Promise<void> {
  loading ??= import('@pydantic/genai-prices').then(
    (catalog) => {
      loaded = catalog.calcPrice;
    },
    () => {
      // Costs are then recorded as `catalog_unavailable`; the request itself is unaffected.
    },
  );
  return loading;
}

/** The catalog's calcPrice, once loadPriceCatalog() has resolved (undefined if it could not load). */
export function catalogCalcPrice(): CalcPrice | undefined {
  return loaded;
}
