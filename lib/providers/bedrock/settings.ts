import * as z from 'zod';
import { ConfigError, providerSetting, settingSchemas, type Config } from '../../config/index.ts';

export interface BedrockSettings {
  /** SLUICE_BEDROCK_IAM_AUTH_ENABLED: sign upstream calls with SigV4 from the default credential chain. */
  iamAuth: boolean;
  /** SLUICE_BEDROCK_REGION, when set. */
  region: string | undefined;
  /** SLUICE_BEDROCK_INFERENCE_PROFILE_PREFIX without its dot (`us`, `eu`, …), when set. */
  inferenceProfilePrefix: string | undefined;
  /** SLUICE_BEDROCK_ALLOWED_PROVIDERS; empty: every provider. */
  allowedProviders: readonly string[];
  /** SLUICE_BEDROCK_ALLOWED_INFERENCE_REGIONS; empty: every region prefix. */
  allowedInferenceRegions: readonly string[];
}

const commaList = z
  .string()
  .optional()
  .transform((value) =>
    (value ?? '')
      .split(',')
      .map((item) => item.trim().toLowerCase())
      .filter((item) => item !== ''),
  );

const region = z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, 'must be an AWS region such as us-east-1');

const prefix = z
  .string()
  .transform((value) => value.trim().replace(/\.$/, '').toLowerCase())
  .pipe(z.string().regex(/^[a-z]+(-[a-z]+)?$/, 'must be an inference profile region prefix such as us, eu, apac or global'));

const cache = new WeakMap<Config, BedrockSettings>();

export function bedrockSettings(config: Config): BedrockSettings {
  const cached = cache.get(config);
  if (cached) return cached;
  const settings: BedrockSettings = {
    iamAuth: providerSetting(config, 'SLUICE_BEDROCK_IAM_AUTH_ENABLED', settingSchemas.booleanFlag.default(false)),
    region: providerSetting(config, 'SLUICE_BEDROCK_REGION', region.optional()),
    inferenceProfilePrefix: providerSetting(config, 'SLUICE_BEDROCK_INFERENCE_PROFILE_PREFIX', prefix.optional()),
    allowedProviders: providerSetting(config, 'SLUICE_BEDROCK_ALLOWED_PROVIDERS', commaList),
    allowedInferenceRegions: providerSetting(config, 'SLUICE_BEDROCK_ALLOWED_INFERENCE_REGIONS', commaList),
  };
  cache.set(config, settings);
  return settings;
}

const RUNTIME_HOST = /^bedrock-runtime(-fips)?\.([a-z]{2}(?:-[a-z]+)+-\d+)\.(amazonaws\.com(?:\.cn)?|vpce\.amazonaws\.com)$/;

/** The region to sign for and to list models in: SLUICE_BEDROCK_REGION, else read from the base URL. */
export function bedrockRegion(settings: BedrockSettings, baseUrl: string): string {
  if (settings.region) return settings.region;
  const host = new URL(baseUrl).hostname;
  const match = RUNTIME_HOST.exec(host) ?? /\.bedrock-runtime\.([a-z]{2}(?:-[a-z]+)+-\d+)\.vpce\.amazonaws\.com$/.exec(host);
  const found = match?.[2] ?? match?.[1];
  if (found && region.safeParse(found).success) return found;
  throw new ConfigError(
    `Invalid configuration: SLUICE_BEDROCK_REGION: required because the region cannot be read from SLUICE_BEDROCK_BASE_URL (${host})`,
  );
}

/** The Bedrock control-plane endpoint that matches the runtime base URL, when it is an AWS one. */
export function bedrockControlPlaneUrl(baseUrl: string): string | undefined {
  const url = new URL(baseUrl);
  const match = RUNTIME_HOST.exec(url.hostname);
  if (!match || match[3]!.startsWith('vpce')) return undefined;
  return `https://bedrock${match[1] ?? ''}.${match[2]}.${match[3]}`;
}
