import * as z from 'zod';
import { ConfigError, providerSetting, settingSchemas, type Config } from '../../config/index.ts';

export const GEMINI_DEFAULT_BASE_URL = 'https://generativelanguage.googleapis.com';

export interface VertexSettings {
  project: string;
  location: string;
  /** A service-account (or other) credentials JSON file; absent: Application Default Credentials. */
  credentialsFile: string | undefined;
  /** The Vertex AI host to call; absent: the public endpoint of the location. */
  baseUrl: string | undefined;
}

export interface GeminiSettings {
  /** Set when SLUICE_GEMINI_VERTEX_AI_ENABLED=true: Sluice calls Vertex AI with a Google access token. */
  vertex: VertexSettings | undefined;
}

const location = z
  .string()
  .regex(/^[a-z0-9-]+$/, 'must be a Google Cloud location such as us-central1 or global')
  .default('us-central1');

const cache = new WeakMap<Config, GeminiSettings>();

/** The Gemini route's own settings, read once per configuration. */
export function geminiSettings(config: Config): GeminiSettings {
  const cached = cache.get(config);
  if (cached) return cached;
  const enabled = providerSetting(config, 'SLUICE_GEMINI_VERTEX_AI_ENABLED', settingSchemas.booleanFlag.default(false));
  let vertex: VertexSettings | undefined;
  if (enabled) {
    const project = providerSetting(config, 'SLUICE_GEMINI_VERTEX_AI_PROJECT', z.string().min(1).optional());
    if (!project) {
      throw new ConfigError(
        'Invalid configuration: SLUICE_GEMINI_VERTEX_AI_PROJECT: required when SLUICE_GEMINI_VERTEX_AI_ENABLED=true (your Google Cloud project id)',
      );
    }
    vertex = {
      project,
      location: providerSetting(config, 'SLUICE_GEMINI_VERTEX_AI_LOCATION', location),
      credentialsFile: providerSetting(config, 'SLUICE_GEMINI_VERTEX_AI_CREDENTIALS_FILE', z.string().min(1).optional()),
      baseUrl: providerSetting(config, 'SLUICE_GEMINI_VERTEX_AI_BASE_URL', settingSchemas.url.optional())?.replace(/\/+$/, ''),
    };
  }
  const settings = { vertex };
  cache.set(config, settings);
  return settings;
}
