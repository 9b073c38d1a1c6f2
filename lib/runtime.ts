import type { Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';
import { loadConfig, type Config } from './config/index.ts';
import { InteractionStore } from './interactions/interaction-store.ts';
import { UsageLimiter } from './limits/usage-limiter.ts';
import { createLogger } from './observability/logger.ts';
import { createTracer, RequestTelemetry } from './observability/request-telemetry.ts';
import { ProfileStore } from './profiles/profile-store.ts';
import { createDocumentClient } from './storage/dynamo.ts';
import { UpstreamClient } from './upstream/upstream-client.ts';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DualLlmSanitizer } from './security/dual-llm.ts';
import { openAiStyleQuarantinedCompletion } from './security/quarantined-completion.ts';

/** What a handler needs, made once per process (per Lambda execution environment) and reused. */
export interface Runtime {
  config: Config;
  logger: PowertoolsLogger;
  db: DynamoDBDocumentClient;
  profiles: ProfileStore;
  interactions: InteractionStore;
  upstream: UpstreamClient;
  sanitizer: DualLlmSanitizer;
  limiter: UsageLimiter;
  telemetry: RequestTelemetry;
}

export function createRuntime(config: Config): Runtime {
  const logger = createLogger(config);
  const db = createDocumentClient(config);
  const upstream = new UpstreamClient(config.timeouts);
  return {
    config,
    logger,
    db,
    profiles: new ProfileStore(db, config.storage.tables.profiles, config.storage.profileCacheTtlMs),
    interactions: new InteractionStore(db, config.storage.tables.interactions, config.storage.recordWriteAttempts, logger),
    upstream,
    sanitizer: new DualLlmSanitizer(openAiStyleQuarantinedCompletion(upstream, config)),
    limiter: new UsageLimiter(db, config.storage.tables.usageCounters),
    telemetry: new RequestTelemetry({ metricsEnabled: config.observability.metricsEnabled, tracer: createTracer(), logger }),
  };
}

let current: Runtime | undefined;

/** The process's runtime, built from the environment on first use. */
export function getRuntime(): Runtime {
  current ??= createRuntime(loadConfig());
  return current;
}

/** Drops the process's runtime so the next request reads the environment again (tests, local restarts). */
export function resetRuntime(): void {
  current?.upstream.close();
  current?.db.destroy();
  current = undefined;
}
