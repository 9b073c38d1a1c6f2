import { providerSetting, settingSchemas, type Config } from '../config/index.ts';
import type { ImageFetchSettings } from './images.ts';

export interface RouterSettings {
  /** SLUICE_MODEL_ROUTER_MODELS_CACHE_TTL_MS: how long a provider's model list is reused. */
  modelsCacheTtlMs: number;
  /** SLUICE_MODEL_ROUTER_IMAGE_MAX_BYTES, _IMAGE_TIMEOUT_MS, _IMAGE_ALLOW_PRIVATE_ADDRESSES. */
  images: ImageFetchSettings;
}

const cache = new WeakMap<Config, RouterSettings>();

export function routerSettings(config: Config): RouterSettings {
  let settings = cache.get(config);
  if (!settings) {
    settings = {
      modelsCacheTtlMs: providerSetting(config, 'SLUICE_MODEL_ROUTER_MODELS_CACHE_TTL_MS', settingSchemas.positiveInt.default(60_000)),
      images: {
        maxBytes: providerSetting(config, 'SLUICE_MODEL_ROUTER_IMAGE_MAX_BYTES', settingSchemas.positiveInt.default(10 * 1024 * 1024)),
        timeoutMs: providerSetting(config, 'SLUICE_MODEL_ROUTER_IMAGE_TIMEOUT_MS', settingSchemas.positiveInt.default(10_000)),
        allowPrivateAddresses: providerSetting(
          config,
          'SLUICE_MODEL_ROUTER_IMAGE_ALLOW_PRIVATE_ADDRESSES',
          settingSchemas.booleanFlag.default(false),
        ),
      },
    };
    cache.set(config, settings);
  }
  return settings;
}
