import type { Config } from '../../config/index.ts';
import { openAiDialect } from '../openai/dialect.ts';
import { bearerToken } from '../shared/headers.ts';
import type { Endpoint, ProviderAdapter } from '../types.ts';

/** One OpenAI-style provider, as data. */
export interface OpenAiStyleSpec {
  id: string;
  displayName: string;
  /** The public endpoint; undefined when the provider is enabled only by SLUICE_<ID>_BASE_URL. */
  defaultBaseUrl: string | undefined;
  keyRequired: boolean;
  /** Headers every upstream call of this provider carries (for example OpenRouter's attribution). */
  extraHeaders?: (config: Config) => Record<string, string>;
}

export function envPrefix(id: string): string {
  return `SLUICE_${id.toUpperCase().replaceAll('-', '_')}`;
}

/** The parts of a ProviderAdapter that come straight from an OpenAI-style spec. */
export function openAiStyleProvider(spec: OpenAiStyleSpec, endpoints: readonly Endpoint[]): ProviderAdapter {
  const prefix = envPrefix(spec.id);
  return {
    id: spec.id,
    displayName: spec.displayName,
    dialect: openAiDialect,
    endpoints,
    baseUrl: (config) => config.providers[spec.id]?.baseUrl ?? spec.defaultBaseUrl,
    howToEnable: `Set ${prefix}_BASE_URL to the ${spec.displayName} server's OpenAI-compatible base URL (for example http://host:8000/v1).`,
    clientKey: bearerToken,
    defaultKey: (config) => config.providers[spec.id]?.apiKey,
    keyRequired: () => spec.keyRequired,
  };
}

/** Authorization for an OpenAI-style upstream. */
export function bearerAuthorization(apiKey: string | undefined): Record<string, string> {
  return apiKey ? { authorization: `Bearer ${apiKey}` } : {};
}
