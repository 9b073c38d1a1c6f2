import * as z from 'zod';
import { providerSetting, settingSchemas, type Config } from '../../config/index.ts';

export interface AzureSettings {
  /** api-version of Chat Completions on resource URLs. */
  apiVersion: string;
  /** api-version of the Responses API on resource URLs. */
  responsesApiVersion: string;
  /** Authenticate upstream with a Microsoft Entra token instead of an API key. */
  entraIdEnabled: boolean;
}

const apiVersion = z.string().regex(/^[A-Za-z0-9._-]+$/, 'expected an api-version such as 2024-10-21 or 2025-04-01-preview');

const cache = new WeakMap<Config, AzureSettings>();

/** The Azure settings of a config (read once per config; a bad value fails naming its variable). */
export function azureSettings(config: Config): AzureSettings {
  let settings = cache.get(config);
  if (!settings) {
    settings = {
      apiVersion: providerSetting(config, 'SLUICE_AZURE_OPENAI_API_VERSION', apiVersion.default('2024-02-01')),
      responsesApiVersion: providerSetting(
        config,
        'SLUICE_AZURE_OPENAI_RESPONSES_API_VERSION',
        apiVersion.default('2025-04-01-preview'),
      ),
      entraIdEnabled:
        providerSetting(config, 'SLUICE_AZURE_OPENAI_ENTRA_ID_ENABLED', settingSchemas.booleanFlag.optional()) ?? false,
    };
    cache.set(config, settings);
  }
  return settings;
}
