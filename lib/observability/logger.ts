import { Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';
import type { Config } from '../config/index.ts';

export type Logger = Pick<PowertoolsLogger, 'debug' | 'info' | 'warn' | 'error'>;

/** Structured JSON logs. Nothing that could hold a secret (keys, bodies, auth headers) is ever passed in. */
export function createLogger(config: Config): PowertoolsLogger {
  return new PowertoolsLogger({ serviceName: 'sluice', logLevel: config.logLevel });
}
