import { Aws } from 'aws-cdk-lib';
import { METRICS_NAMESPACE, METRICS_SERVICE } from '../lib/observability/metric-names.ts';
import type { GatewaySettings } from './gateway-settings.ts';

/** Sluice aborts an upstream call this long before Lambda's timeout, so it can still answer and record. */
const RECORD_MARGIN_SECONDS = 5;

/**
 * The environment of a Sluice function on AWS: the table names (which lib/config reads), the log
 * level, the provider settings from context (names as in the seeds, with SLUICE_ for ARCHESTRA_),
 * and an upstream deadline inside the function's timeout.
 */
export function functionEnvironment(
  settings: GatewaySettings,
  tableVariables: Readonly<Record<string, string>>,
  timeoutSeconds: number,
): Record<string, string> {
  const env: Record<string, string> = {
    ...tableVariables,
    SLUICE_LOG_LEVEL: settings.logLevel,
    // The bundle is minified; its source map puts file names and lines back into stack traces.
    NODE_OPTIONS: '--enable-source-maps',
    POWERTOOLS_SERVICE_NAME: METRICS_SERVICE,
    POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
    SLUICE_UPSTREAM_TOTAL_TIMEOUT_MS: String((timeoutSeconds - RECORD_MARGIN_SECONDS) * 1000),
    ...providerEnvironment(settings),
    ...settings.environment,
  };
  return env;
}

function providerEnvironment(settings: GatewaySettings): Record<string, string> {
  const { bedrock, vertexAi, azure } = settings;
  const env: Record<string, string> = {
    SLUICE_BEDROCK_IAM_AUTH_ENABLED: String(bedrock.iamAuth),
    // Bedrock is enabled by its base URL; on AWS it defaults to the runtime endpoint of the chosen region.
    SLUICE_BEDROCK_BASE_URL: bedrock.baseUrl ?? `https://bedrock-runtime.${bedrock.region ?? Aws.REGION}.${Aws.URL_SUFFIX}`,
  };
  if (bedrock.region) env.SLUICE_BEDROCK_REGION = bedrock.region;
  if (vertexAi) {
    env.SLUICE_GEMINI_VERTEX_AI_ENABLED = 'true';
    env.SLUICE_GEMINI_VERTEX_AI_PROJECT = vertexAi.project;
    env.SLUICE_GEMINI_VERTEX_AI_LOCATION = vertexAi.location;
  }
  if (azure.baseUrl) env.SLUICE_AZURE_OPENAI_BASE_URL = azure.baseUrl;
  if (azure.apiVersion) env.SLUICE_AZURE_OPENAI_API_VERSION = azure.apiVersion;
  if (azure.responsesApiVersion) env.SLUICE_AZURE_OPENAI_RESPONSES_API_VERSION = azure.responsesApiVersion;
  if (azure.entraId !== undefined) env.SLUICE_AZURE_OPENAI_ENTRA_ID_ENABLED = String(azure.entraId);
  return env;
}
