import type { Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { loadConfig, type Config } from './config/index.ts';
import { AccessStore } from './auth/access-store.ts';
import { Authenticator } from './auth/authenticator.ts';
import { FailedAttemptLimiter } from './auth/failed-attempts.ts';
import { JwksVerifier } from './auth/jwks-verifier.ts';
import { SluiceTokens } from './auth/sluice-tokens.ts';
import { InteractionStore } from './interactions/interaction-store.ts';
import type { RecordWriter } from './interactions/record-writer.ts';
import { UsageLimiter } from './limits/usage-limiter.ts';
import { createLogger } from './observability/logger.ts';
import { RequestTelemetry, spanSource } from './observability/request-telemetry.ts';
import { ProfileStore } from './profiles/profile-store.ts';
import type { ProviderKeyStore, SigningKeySource } from './secrets/provider-key-store.ts';
import { SecretsManagerProviderKeyStore } from './secrets/secrets-manager-provider-key-store.ts';
import { SecretsManagerSigningKey } from './secrets/secrets-manager-signing-key.ts';
import { createDocumentClient, type StorageRequestHandler } from './storage/dynamo.ts';
import { UpstreamClient } from './upstream/upstream-client.ts';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DualLlmSanitizer } from './security/dual-llm.ts';
import { openAiStyleQuarantinedCompletion } from './security/quarantined-completion.ts';

/** Where secrets live: Secrets Manager unless the wiring (the local server) supplies another store. */
export interface SecretServices {
  providerKeys: ProviderKeyStore;
  signingKey: SigningKeySource;
}

/** What the wiring may put in place of the AWS defaults: the secret stores, and how storage requests travel. */
export interface RuntimeServices extends SecretServices {
  /** The DynamoDB client's request handler; the SDK's own HTTP handler when absent. */
  storageRequestHandler?: StorageRequestHandler;
  /** Where interaction records go; the runtime's InteractionStore (through `db`) when absent. */
  recordWriter?: RecordWriter;
}

/** What a handler needs, made once per process (per Lambda execution environment) and reused. */
export interface Runtime {
  config: Config;
  logger: PowertoolsLogger;
  db: DynamoDBDocumentClient;
  profiles: ProfileStore;
  /** Reads interaction records (admin API, CLI). */
  interactions: InteractionStore;
  /** Writes the interaction record of each request. */
  records: RecordWriter;
  upstream: UpstreamClient;
  sanitizer: DualLlmSanitizer;
  limiter: UsageLimiter;
  telemetry: RequestTelemetry;
  providerKeys: ProviderKeyStore;
  access: AccessStore;
  tokens: SluiceTokens;
  /** Failed authentication attempts per source, in this process. */
  failedAttempts: FailedAttemptLimiter;
  auth: Authenticator;
}

function awsServices(config: Config): RuntimeServices {
  const client = new SecretsManagerClient({ region: config.storage.region, maxAttempts: 3 });
  return {
    providerKeys: new SecretsManagerProviderKeyStore(client, config.auth.secretCacheTtlSeconds),
    signingKey: new SecretsManagerSigningKey(client, config.auth.secretCacheTtlSeconds),
  };
}

export function createRuntime(config: Config, services: RuntimeServices = awsServices(config)): Runtime {
  const logger = createLogger(config);
  const db = createDocumentClient(config, services.storageRequestHandler);
  const upstream = new UpstreamClient(config.timeouts);
  const interactions = new InteractionStore(db, config.storage.tables.interactions, config.storage.recordWriteAttempts, logger);
  const access = new AccessStore(db, config.storage.tables.virtualKeys, {
    cacheTtlMs: config.auth.credentialCacheTtlMs,
    lastUsedIntervalMs: config.auth.lastUsedIntervalMs,
  });
  const tokens = new SluiceTokens(services.signingKey, config.auth.oauthTokenTtlSeconds);
  const failedAttempts = new FailedAttemptLimiter(config.auth.failureLimit, config.auth.failureWindowMs);
  const records: RecordWriter = services.recordWriter ?? interactions;
  return {
    config,
    logger,
    db,
    profiles: new ProfileStore(db, config.storage.tables.profiles, config.storage.profileCacheTtlMs),
    interactions,
    records,
    upstream,
    sanitizer: new DualLlmSanitizer(openAiStyleQuarantinedCompletion(upstream, config)),
    limiter: new UsageLimiter(db, config.storage.tables.usageCounters),
    telemetry: new RequestTelemetry({
      metricsEnabled: config.observability.metricsEnabled && !records.publishesRequestMetrics,
      tracer: spanSource(config.observability.tracing),
      logger,
    }),
    providerKeys: services.providerKeys,
    access,
    tokens,
    failedAttempts,
    auth: new Authenticator({
      access,
      providerKeys: services.providerKeys,
      tokens,
      jwks: new JwksVerifier(config.auth.jwksCacheTtlMs),
      limiter: failedAttempts,
      logger,
    }),
  };
}

let current: Runtime | undefined;
let runtimeServices: ((config: Config) => RuntimeServices) | undefined;

/** The process's runtime, built from the environment on first use. */
export function getRuntime(): Runtime {
  if (!current) {
    const config = loadConfig();
    current = createRuntime(config, runtimeServices?.(config));
  }
  return current;
}

/**
 * The hook for the local server: secrets and the storage request handler come from this factory
 * instead of the AWS defaults (the wiring decides; lib/ never asks whether it runs locally). The
 * factory runs once per runtime, so each runtime's DynamoDB client owns the handler it is given.
 */
export function useRuntimeServices(factory: ((config: Config) => RuntimeServices) | undefined): void {
  runtimeServices = factory;
  resetRuntime();
}

/** Drops the process's runtime so the next request reads the environment again (tests, local restarts). */
export function resetRuntime(): void {
  current?.upstream.close();
  current?.db.destroy();
  current?.records.close?.();
  current = undefined;
}
