import * as z from 'zod';

/**
 * The stack's configuration, read from CDK context (`cdk.json` "context", `cdk.context.json` or
 * `cdk deploy -c sluice:<name>=<value>`). Every key is `sluice:<name>`; a bad value fails synth with
 * the key's name. The README's configuration table lists them.
 */
export interface FunctionSizing {
  memoryMiB: number;
  timeoutSeconds: number;
  /** Unset: the function draws on the account's unreserved concurrency. */
  reservedConcurrency?: number;
}

export interface GatewaySettings {
  /** `all`, or the functions to deploy, each named by function name or by one of its routes. */
  providers: 'all' | readonly string[];
  sizing: FunctionSizing;
  /** Per function name, sizing that replaces the defaults. */
  functionOverrides: Readonly<Record<string, Partial<FunctionSizing>>>;
  logRetentionDays: number;
  logLevel: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
  bedrock: {
    /** Sign Bedrock calls with the function's role (SigV4) and grant it Bedrock; else clients send Bedrock API keys. */
    iamAuth: boolean;
    region?: string;
    baseUrl?: string;
  };
  vertexAi?: { project: string; location: string };
  azure: { baseUrl?: string; apiVersion?: string; responsesApiVersion?: string; entraId?: boolean };
  /** Further SLUICE_* settings for every proxy function. */
  environment: Readonly<Record<string, string>>;
  /** Alarm notifications go to this address (an SNS email subscription). */
  alarmEmail?: string;
  /** The gateway error-rate alarm fires above this percentage of requests. */
  errorRateAlarmPercent: number;
}

export const CONTEXT_PREFIX = 'sluice:';

/** Log retention periods CloudWatch Logs accepts, in days. */
const RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/** `-c key=value` gives strings; cdk.json gives JSON values. Accept both. */
function fromJsonText(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const text = value.trim();
  if (!text.startsWith('{') && !text.startsWith('[')) return value;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return value;
  }
}

const flag = z.union([
  z.boolean(),
  z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((v) => v === 'true' || v === '1' || v === 'yes'),
]);
const integer = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const memoryMiB = integer(128, 10_240);
// Lambda's maximum is 900 s; below 10 s a streamed LLM answer cannot finish.
const timeoutSeconds = integer(10, 900);
const reservedConcurrency = integer(0, 10_000);
const httpsUrl = z.url({ protocol: /^https$/ });
const region = z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'expected an AWS region such as us-east-1');
const name = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'expected lower-case letters, digits and dashes');

const providerList = z.preprocess(
  (v) => (typeof v === 'string' && v.trim() !== 'all' ? v.split(',').map((s) => s.trim()).filter(Boolean) : v),
  z.union([z.literal('all'), z.array(name).min(1)]),
);

const sizingOverride = z
  .object({ memoryMiB: memoryMiB.optional(), timeoutSeconds: timeoutSeconds.optional(), reservedConcurrency: reservedConcurrency.optional() })
  .strict();

/** The variables the stack itself sets; `sluice:environment` cannot override them. */
const STACK_OWNED = new Set(['SLUICE_PROFILES_TABLE', 'SLUICE_VIRTUAL_KEYS_TABLE', 'SLUICE_INTERACTIONS_TABLE', 'SLUICE_DYNAMODB_ENDPOINT']);

function environmentVariableProblem(name: string): string | undefined {
  if (!/^SLUICE_[A-Z0-9_]+$/.test(name)) return 'expected a SLUICE_* variable name';
  if (name.endsWith('_API_KEY')) {
    return 'provider keys do not belong in Lambda environment variables; store them in Secrets Manager (see README, Deploy)';
  }
  if (STACK_OWNED.has(name)) return `the stack sets ${name} itself`;
  return undefined;
}

const schema = z.object({
  providers: providerList.default('all'),
  memoryMiB: memoryMiB.default(1024),
  timeoutSeconds: timeoutSeconds.default(900),
  reservedConcurrency: reservedConcurrency.optional(),
  functionOverrides: z.preprocess(fromJsonText, z.record(name, sizingOverride)).default({}),
  logRetentionDays: z.coerce
    .number()
    .refine((d) => (RETENTION_DAYS as readonly number[]).includes(d), { message: `expected one of ${RETENTION_DAYS.join(', ')}` })
    .default(30),
  logLevel: z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR']).default('INFO'),
  bedrockIamAuth: flag.default(true),
  bedrockRegion: region.optional(),
  bedrockBaseUrl: httpsUrl.optional(),
  vertexProject: z.string().min(1).optional(),
  vertexLocation: z.string().min(1).default('us-central1'),
  azureBaseUrl: httpsUrl.optional(),
  azureApiVersion: z.string().min(1).optional(),
  azureResponsesApiVersion: z.string().min(1).optional(),
  azureEntraId: flag.optional(),
  environment: z
    .preprocess(
      fromJsonText,
      z.record(z.string(), z.coerce.string()).superRefine((env, ctx) => {
        for (const name of Object.keys(env)) {
          const problem = environmentVariableProblem(name);
          if (problem) ctx.addIssue({ code: 'custom', message: problem, path: [name] });
        }
      }),
    )
    .default({}),
  alarmEmail: z.email().optional(),
  errorRateAlarmPercent: z.coerce.number().gt(0).max(100).default(5),
});

export type SettingName = keyof typeof schema.shape;
export const settingNames = Object.keys(schema.shape) as SettingName[];

export class SettingsError extends Error {
  override name = 'SettingsError';
}

/** Reads the settings from a context lookup (`node.tryGetContext`). */
export function readGatewaySettings(context: (key: string) => unknown): GatewaySettings {
  const given: Record<string, unknown> = {};
  for (const key of settingNames) {
    const value = context(`${CONTEXT_PREFIX}${key}`);
    if (value !== undefined && value !== '') given[key] = value;
  }
  const parsed = schema.safeParse(given);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const key = `${CONTEXT_PREFIX}${issue.path.map(String).join('.')}`;
      return `${key}: ${issue.message}`;
    });
    throw new SettingsError(`Invalid Sluice context: ${problems.join('; ')}`);
  }
  const s = parsed.data;
  return {
    providers: s.providers,
    sizing: { memoryMiB: s.memoryMiB, timeoutSeconds: s.timeoutSeconds, reservedConcurrency: s.reservedConcurrency },
    functionOverrides: s.functionOverrides,
    logRetentionDays: s.logRetentionDays,
    logLevel: s.logLevel,
    bedrock: { iamAuth: s.bedrockIamAuth, region: s.bedrockRegion, baseUrl: s.bedrockBaseUrl },
    vertexAi: s.vertexProject ? { project: s.vertexProject, location: s.vertexLocation } : undefined,
    azure: {
      baseUrl: s.azureBaseUrl,
      apiVersion: s.azureApiVersion,
      responsesApiVersion: s.azureResponsesApiVersion,
      entraId: s.azureEntraId,
    },
    environment: s.environment,
    alarmEmail: s.alarmEmail,
    errorRateAlarmPercent: s.errorRateAlarmPercent,
  };
}

/** The sizing of one function: the defaults with its override applied. */
export function sizingFor(settings: GatewaySettings, functionName: string): FunctionSizing {
  return { ...settings.sizing, ...settings.functionOverrides[functionName] };
}
