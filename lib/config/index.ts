import * as z from 'zod';

/**
 * The one place that reads the environment. Everything else in lib/ receives a Config.
 * Variable names follow the design: SLUICE_<NAME>; provider settings are SLUICE_<PROVIDER>_BASE_URL
 * and SLUICE_<PROVIDER>_API_KEY, read for any provider name so that adding a provider adds no code here.
 */

const positiveInt = z.coerce.number().int().positive();
const booleanFlag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', ''])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const url = z.url({ protocol: /^https?$/ });

const MiB = 1024 * 1024;

const environmentSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(9000),
  SLUICE_HOST: z.string().min(1).default('127.0.0.1'),
  SLUICE_DATA_DIR: z.string().min(1).default('.sluice'),
  SLUICE_LOG_LEVEL: z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR', 'SILENT', 'CRITICAL']).default('INFO'),
  SLUICE_DYNAMODB_ENDPOINT: url.optional(),
  SLUICE_AWS_REGION: z.string().min(1).optional(),
  AWS_REGION: z.string().min(1).optional(),
  SLUICE_PROFILES_TABLE: z.string().min(3).default('sluice-profiles'),
  SLUICE_VIRTUAL_KEYS_TABLE: z.string().min(3).default('sluice-virtual-keys'),
  SLUICE_INTERACTIONS_TABLE: z.string().min(3).default('sluice-interactions'),
  SLUICE_USAGE_COUNTERS_TABLE: z.string().min(3).default('sluice-usage-counters'),
  SLUICE_INTERACTION_TTL_DAYS: positiveInt.default(90),
  SLUICE_PROFILE_CACHE_TTL_MS: z.coerce.number().int().min(0).default(5000),
  SLUICE_MAX_BODY_BYTES: positiveInt.default(5 * MiB),
  SLUICE_MAX_HEADER_BYTES: positiveInt.default(16 * 1024),
  SLUICE_MAX_JSON_DEPTH: positiveInt.default(128),
  SLUICE_MAX_MESSAGES: positiveInt.default(10_000),
  SLUICE_MAX_TOOLS: positiveInt.default(1_000),
  SLUICE_UPSTREAM_CONNECT_TIMEOUT_MS: positiveInt.default(10_000),
  SLUICE_UPSTREAM_FIRST_BYTE_TIMEOUT_MS: positiveInt.default(300_000),
  SLUICE_UPSTREAM_IDLE_TIMEOUT_MS: positiveInt.default(120_000),
  SLUICE_UPSTREAM_TOTAL_TIMEOUT_MS: positiveInt.default(900_000),
  SLUICE_RECORD_WRITE_ATTEMPTS: positiveInt.max(10).default(3),
  SLUICE_STREAM_KEEPALIVE_MS: positiveInt.default(10_000),
  SLUICE_METRICS_ENABLED: booleanFlag.default(true),
  // Read to know whether Powertools' Tracer can trace here (Lambda, not SAM local, not switched off).
  AWS_EXECUTION_ENV: z.string().optional(),
  AWS_SAM_LOCAL: z.string().optional(),
  POWERTOOLS_TRACE_ENABLED: z.string().optional(),
  SLUICE_SECRET_CACHE_TTL_SECONDS: z.coerce.number().int().min(0).default(60),
  SLUICE_CREDENTIAL_CACHE_TTL_MS: z.coerce.number().int().min(0).default(5000),
  SLUICE_LAST_USED_INTERVAL_SECONDS: positiveInt.default(300),
  SLUICE_OAUTH_TOKEN_TTL_SECONDS: positiveInt.max(86_400).default(900),
  SLUICE_JWKS_CACHE_TTL_SECONDS: positiveInt.default(600),
  SLUICE_AUTH_FAILURE_LIMIT: positiveInt.default(10),
  SLUICE_AUTH_FAILURE_WINDOW_SECONDS: positiveInt.default(300),
});

export interface ProviderEnvironment {
  /** SLUICE_<P>_BASE_URL, when set. */
  baseUrl?: string;
  /** SLUICE_<P>_API_KEY, when set: the server-side default key. */
  apiKey?: string;
}

export interface Config {
  server: { host: string; port: number; dataDir: string };
  logLevel: z.infer<typeof environmentSchema>['SLUICE_LOG_LEVEL'];
  storage: {
    endpoint?: string;
    region: string;
    tables: { profiles: string; virtualKeys: string; interactions: string; usageCounters: string };
    interactionTtlDays: number;
    profileCacheTtlMs: number;
    recordWriteAttempts: number;
  };
  /** What Sluice accepts from a client (each refused in the route's dialect: 413 for sizes, 400 for shapes). */
  limits: { maxBodyBytes: number; maxHeaderBytes: number; maxJsonDepth: number; maxMessages: number; maxTools: number };
  /** CloudWatch metrics (EMF lines on stdout) after each request. */
  /**
   * CloudWatch metrics (EMF lines on stdout) after each request. `tracing`: the process runs in
   * Lambda (not SAM or Amplify's mock) and POWERTOOLS_TRACE_ENABLED is not false, the only case in
   * which Powertools' Tracer traces; elsewhere the X-Ray SDK is not even loaded.
   */
  observability: { metricsEnabled: boolean; tracing: boolean };
  timeouts: { connectMs: number; firstByteMs: number; idleMs: number; totalMs: number };
  /** While tool-call chunks are held, a keep-alive goes out at least this often. */
  streamKeepAliveMs: number;
  auth: {
    /** How long a provider key or the OAuth signing key is cached after a read from the secret store. */
    secretCacheTtlSeconds: number;
    /** How long a virtual key or OAuth client record is cached (revocation takes effect within this). */
    credentialCacheTtlMs: number;
    /** A credential's last use is written at most once per this interval. */
    lastUsedIntervalMs: number;
    oauthTokenTtlSeconds: number;
    jwksCacheTtlMs: number;
    /** Failed attempts allowed per source address and credential kind within the window. */
    failureLimit: number;
    failureWindowMs: number;
  };
  /** Per provider id (lower case, as in the route), from SLUICE_<ID>_BASE_URL / _API_KEY. */
  providers: Record<string, ProviderEnvironment>;
  /** Every SLUICE_* variable as given, for provider modules that own extra settings (read through providerSetting). */
  raw: Readonly<Record<string, string>>;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

const PROVIDER_VARIABLE = /^SLUICE_([A-Z0-9_]+?)_(BASE_URL|API_KEY)$/;

function describeIssues(error: z.ZodError, env: Record<string, string | undefined>): string {
  return error.issues
    .map((issue) => {
      const name = String(issue.path[0] ?? '(environment)');
      const given = env[name];
      return `${name}: ${issue.message}${given === undefined ? '' : ` (got ${JSON.stringify(given)})`}`;
    })
    .join('; ');
}

function readProviders(env: Record<string, string | undefined>): Record<string, ProviderEnvironment> {
  const providers: Record<string, ProviderEnvironment> = {};
  const problems: string[] = [];
  for (const [name, value] of Object.entries(env)) {
    const match = PROVIDER_VARIABLE.exec(name);
    if (!match || value === undefined || value === '') continue;
    const id = match[1]!.toLowerCase().replaceAll('_', '-');
    const entry = (providers[id] ??= {});
    if (match[2] === 'BASE_URL') {
      if (!url.safeParse(value).success) problems.push(`${name}: expected an http(s) URL (got ${JSON.stringify(value)})`);
      entry.baseUrl = value.replace(/\/+$/, '');
    } else {
      entry.apiKey = value;
    }
  }
  if (problems.length > 0) throw new ConfigError(`Invalid configuration: ${problems.join('; ')}`);
  return providers;
}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = environmentSchema.safeParse(
    Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== '')),
  );
  if (!parsed.success) throw new ConfigError(`Invalid configuration: ${describeIssues(parsed.error, env)}`);
  const e = parsed.data;
  const raw: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (name.startsWith('SLUICE_') && value !== undefined) raw[name] = value;
  }
  return {
    server: { host: e.SLUICE_HOST, port: e.PORT, dataDir: e.SLUICE_DATA_DIR },
    logLevel: e.SLUICE_LOG_LEVEL,
    storage: {
      endpoint: e.SLUICE_DYNAMODB_ENDPOINT,
      region: e.SLUICE_AWS_REGION ?? e.AWS_REGION ?? 'us-east-1',
      tables: {
        profiles: e.SLUICE_PROFILES_TABLE,
        virtualKeys: e.SLUICE_VIRTUAL_KEYS_TABLE,
        interactions: e.SLUICE_INTERACTIONS_TABLE,
        usageCounters: e.SLUICE_USAGE_COUNTERS_TABLE,
      },
      interactionTtlDays: e.SLUICE_INTERACTION_TTL_DAYS,
      profileCacheTtlMs: e.SLUICE_PROFILE_CACHE_TTL_MS,
      recordWriteAttempts: e.SLUICE_RECORD_WRITE_ATTEMPTS,
    },
    limits: {
      maxBodyBytes: e.SLUICE_MAX_BODY_BYTES,
      maxHeaderBytes: e.SLUICE_MAX_HEADER_BYTES,
      maxJsonDepth: e.SLUICE_MAX_JSON_DEPTH,
      maxMessages: e.SLUICE_MAX_MESSAGES,
      maxTools: e.SLUICE_MAX_TOOLS,
    },
    observability: {
      metricsEnabled: e.SLUICE_METRICS_ENABLED,
      tracing:
        (e.AWS_EXECUTION_ENV ?? '') !== '' &&
        e.AWS_EXECUTION_ENV !== 'AWS_Lambda_amplify-mock' &&
        (e.AWS_SAM_LOCAL ?? '') === '' &&
        e.POWERTOOLS_TRACE_ENABLED?.toLowerCase() !== 'false',
    },
    timeouts: {
      connectMs: e.SLUICE_UPSTREAM_CONNECT_TIMEOUT_MS,
      firstByteMs: e.SLUICE_UPSTREAM_FIRST_BYTE_TIMEOUT_MS,
      idleMs: e.SLUICE_UPSTREAM_IDLE_TIMEOUT_MS,
      totalMs: e.SLUICE_UPSTREAM_TOTAL_TIMEOUT_MS,
    },
    streamKeepAliveMs: e.SLUICE_STREAM_KEEPALIVE_MS,
    auth: {
      secretCacheTtlSeconds: e.SLUICE_SECRET_CACHE_TTL_SECONDS,
      credentialCacheTtlMs: e.SLUICE_CREDENTIAL_CACHE_TTL_MS,
      lastUsedIntervalMs: e.SLUICE_LAST_USED_INTERVAL_SECONDS * 1000,
      oauthTokenTtlSeconds: e.SLUICE_OAUTH_TOKEN_TTL_SECONDS,
      jwksCacheTtlMs: e.SLUICE_JWKS_CACHE_TTL_SECONDS * 1000,
      failureLimit: e.SLUICE_AUTH_FAILURE_LIMIT,
      failureWindowMs: e.SLUICE_AUTH_FAILURE_WINDOW_SECONDS * 1000,
    },
    providers: readProviders(env),
    raw,
  };
}

/**
 * A provider-specific setting (for example SLUICE_AZURE_OPENAI_API_VERSION), validated by the
 * schema the provider module passes, so a bad value fails with the variable's name.
 */
export function providerSetting<T extends z.ZodType>(config: Config, name: string, schema: T): z.output<T> {
  const value = config.raw[name];
  const parsed = schema.safeParse(value === '' ? undefined : value);
  if (!parsed.success) {
    throw new ConfigError(
      `Invalid configuration: ${name}: ${parsed.error.issues[0]?.message ?? 'invalid'}${value === undefined ? '' : ` (got ${JSON.stringify(value)})`}`,
    );
  }
  return parsed.data;
}

export const settingSchemas = { booleanFlag, url, positiveInt };
