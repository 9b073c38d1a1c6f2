import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it, vi } from 'vitest';
import { adminFunction, proxyFunctions, type FunctionSpec } from '../../lib/function-catalog.ts';
import { metricNames, METRICS_NAMESPACE } from '../../lib/observability/metric-names.ts';
import { tableDefinitions } from '../../lib/storage/tables.ts';
import {
  bedrockSpec,
  compatibleSpec,
  functionNamed,
  logicalId,
  normalize,
  openAiSpec,
  roleStatements,
  sortStatements,
  synthGateway,
  type Statement,
} from './support.ts';

// Synthesizing loads most of aws-cdk-lib; on a busy machine the first stack takes a while.
vi.setConfig({ testTimeout: 120_000 });

/** The admin entry with a handler that exists on every branch (the admin helper adds functions/admin.ts). */
const admin: FunctionSpec = { ...adminFunction, entry: 'functions/openai.ts' };
const catalog = [openAiSpec, compatibleSpec, bedrockSpec];

const sized = synthGateway({
  catalog,
  adminFunction: admin,
  context: { timeoutSeconds: 120, memoryMiB: 512, logRetentionDays: 14, reservedConcurrency: 20 },
});

const allow = (actions: string[], resources: string[]): Statement => ({ Effect: 'Allow', Action: actions, Resource: resources });
const PARTITION = '${AWS::Partition}';
const secretArn = (name: string) => `arn:${PARTITION}:secretsmanager:\${AWS::Region}:\${AWS::AccountId}:secret:${name}`;

function baseline(name: string, { stack, template } = sized): { role: string; statements: Statement[] } {
  const fn = functionNamed(stack, name);
  const tableArn = (key: 'profiles' | 'virtualKeys' | 'interactions' | 'usageCounters') => `\${${logicalId(stack, stack.tables.table(key))}.Arn}`;
  void template;
  return {
    role: logicalId(stack, fn.role),
    statements: [
      allow(['xray:PutTelemetryRecords', 'xray:PutTraceSegments'], ['*']),
      allow(['logs:CreateLogStream', 'logs:PutLogEvents'], [`\${${logicalId(stack, fn.logGroup)}.Arn}`]),
      ...(name === 'admin'
        ? [
            allow(['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Scan', 'dynamodb:UpdateItem'], [tableArn('profiles')]),
            allow(['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Scan', 'dynamodb:UpdateItem'], [tableArn('virtualKeys')]),
            allow(['dynamodb:Query'], [tableArn('interactions')]),
          ]
        : [
            allow(['dynamodb:GetItem', 'dynamodb:UpdateItem'], [tableArn('profiles')]),
            allow(['dynamodb:GetItem', 'dynamodb:UpdateItem'], [tableArn('virtualKeys')]),
            allow(['dynamodb:BatchWriteItem', 'dynamodb:PutItem'], [tableArn('interactions')]),
            allow(['dynamodb:UpdateItem'], [tableArn('usageCounters')]),
          ]),
    ],
  };
}

describe('functions', () => {
  const functions = sized.template.findResources('AWS::Lambda::Function');

  it('builds one function per catalog entry and the admin function', () => {
    expect(sized.stack.functions.map((f) => f.spec.name)).toEqual(['openai', 'openai-compatible', 'bedrock', 'admin', 'oauth']);
    expect(Object.keys(functions)).toHaveLength(5);
  });

  it('runs every function on nodejs24.x, arm64, with the memory, timeout and concurrency asked for, traced', () => {
    for (const fn of Object.values(functions)) {
      expect(fn.Properties).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        MemorySize: 512,
        Timeout: 120,
        ReservedConcurrentExecutions: 20,
        TracingConfig: { Mode: 'Active' },
      });
    }
  });

  it('applies per-function overrides over the defaults', () => {
    const { template, stack } = synthGateway({
      catalog,
      adminFunction: null,
      context: { functionOverrides: '{"bedrock":{"memoryMiB":2048,"reservedConcurrency":5}}' },
    });
    const props = (name: string) =>
      template.findResources('AWS::Lambda::Function')[logicalId(stack, functionNamed(stack, name).function)]!.Properties as Record<string, unknown>;
    expect(props('bedrock')).toMatchObject({ MemorySize: 2048, Timeout: 900, ReservedConcurrentExecutions: 5 });
    expect(props('openai')).toMatchObject({ MemorySize: 1024, Timeout: 900 });
    expect(props('openai')).not.toHaveProperty('ReservedConcurrentExecutions');
  });

  it('gives every proxy function a RESPONSE_STREAM URL without IAM auth, and the admin function an AWS_IAM one', () => {
    for (const fn of sized.stack.functions) {
      const url = sized.template.findResources('AWS::Lambda::Url', {
        Properties: { TargetFunctionArn: { 'Fn::GetAtt': [logicalId(sized.stack, fn.function), 'Arn'] } },
      });
      expect(Object.values(url).map((u) => u.Properties)).toEqual([
        expect.objectContaining({ InvokeMode: 'RESPONSE_STREAM', AuthType: fn.spec.name === 'admin' ? 'AWS_IAM' : 'NONE' }),
      ]);
    }
  });

  it('writes logs to a log group of its own with the retention asked for', () => {
    for (const fn of sized.stack.functions) {
      const id = logicalId(sized.stack, fn.logGroup);
      expect(sized.template.findResources('AWS::Logs::LogGroup')[id]?.Properties).toEqual({ RetentionInDays: 14 });
      expect(functions[logicalId(sized.stack, fn.function)]?.Properties.LoggingConfig).toEqual({ LogGroup: { Ref: id } });
    }
  });

  it('bundles ESM with a linked source map that stack traces use', () => {
    for (const fn of Object.values(functions)) {
      expect(fn.Properties.Environment.Variables.NODE_OPTIONS).toBe('--enable-source-maps');
    }
  });

  it('tells each function its tables and settings through the variables lib/config reads', () => {
    const { template, stack } = synthGateway({
      catalog: [openAiSpec],
      adminFunction: null,
      context: {
        logLevel: 'DEBUG',
        bedrockIamAuth: 'false',
        bedrockRegion: 'eu-west-1',
        vertexProject: 'my-project',
        azureBaseUrl: 'https://r.openai.azure.com/openai',
        azureEntraId: 'true',
        environment: '{"SLUICE_OPENROUTER_TITLE":"My app","SLUICE_INTERACTION_TTL_DAYS":"30"}',
      },
    });
    const variables = normalize(
      template.findResources('AWS::Lambda::Function')[logicalId(stack, functionNamed(stack, 'openai').function)]!.Properties.Environment.Variables,
    );
    const tableVariables = Object.fromEntries(
      tableDefinitions.map((d) => [d.environmentVariable, `\${${logicalId(stack, stack.tables.table(d.key))}}`]),
    );
    expect(variables).toEqual({
      ...tableVariables,
      NODE_OPTIONS: '--enable-source-maps',
      SLUICE_LOG_LEVEL: 'DEBUG',
      POWERTOOLS_SERVICE_NAME: 'sluice',
      POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
      SLUICE_UPSTREAM_TOTAL_TIMEOUT_MS: '895000',
      SLUICE_BEDROCK_IAM_AUTH_ENABLED: 'false',
      SLUICE_BEDROCK_REGION: 'eu-west-1',
      SLUICE_BEDROCK_BASE_URL: 'https://bedrock-runtime.eu-west-1.${AWS::URLSuffix}',
      SLUICE_GEMINI_VERTEX_AI_ENABLED: 'true',
      SLUICE_GEMINI_VERTEX_AI_PROJECT: 'my-project',
      SLUICE_GEMINI_VERTEX_AI_LOCATION: 'us-central1',
      SLUICE_AZURE_OPENAI_BASE_URL: 'https://r.openai.azure.com/openai',
      SLUICE_AZURE_OPENAI_ENTRA_ID_ENABLED: 'true',
      SLUICE_OPENROUTER_TITLE: 'My app',
      SLUICE_INTERACTION_TTL_DAYS: '30',
    });
  });
});

describe('IAM', () => {
  it('lets a proxy function read its tables as the proxy does and only its own providers’ keys', () => {
    const { role, statements } = baseline('openai');
    expect(roleStatements(sized.template, role)).toEqual(
      sortStatements([...statements, allow(['secretsmanager:GetSecretValue'], [secretArn('sluice/provider-keys/openai/*')])]),
    );
  });

  it('scopes a multi-route function to the keys of each of its routes', () => {
    const { role, statements } = baseline('openai-compatible');
    expect(roleStatements(sized.template, role)).toEqual(
      sortStatements([
        ...statements,
        allow(['secretsmanager:GetSecretValue'], [secretArn('sluice/provider-keys/groq/*'), secretArn('sluice/provider-keys/mistral/*')]),
      ]),
    );
  });

  it('gives the Bedrock function exactly the Bedrock actions it calls, and nothing else of Bedrock', () => {
    const { role, statements } = baseline('bedrock');
    expect(roleStatements(sized.template, role)).toEqual(
      sortStatements([
        ...statements,
        allow(['secretsmanager:GetSecretValue'], [secretArn('sluice/provider-keys/bedrock/*')]),
        allow(
          ['bedrock:Converse', 'bedrock:ConverseStream', 'bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream'],
          [
            `arn:${PARTITION}:bedrock:*::foundation-model/*`,
            `arn:${PARTITION}:bedrock:*:\${AWS::AccountId}:application-inference-profile/*`,
            `arn:${PARTITION}:bedrock:*:\${AWS::AccountId}:inference-profile/*`,
          ],
        ),
        allow(['bedrock:ListInferenceProfiles'], ['*']),
      ]),
    );
  });

  it('grants no Bedrock access when Bedrock is called with client API keys instead of IAM', () => {
    const { template, stack } = synthGateway({ catalog, adminFunction: null, context: { bedrockIamAuth: false } });
    const statements = roleStatements(template, logicalId(stack, functionNamed(stack, 'bedrock').role));
    expect(statements.flatMap((s) => s.Action).filter((a) => a.startsWith('bedrock:'))).toEqual([]);
  });

  it('lets the admin function manage provider keys without reading them, and read the signing key', () => {
    const { role, statements } = baseline('admin');
    const signingKey = `\${${logicalId(sized.stack, sized.stack.secrets.signingKey)}}`;
    expect(roleStatements(sized.template, role)).toEqual(
      sortStatements([
        ...statements,
        allow(
          [
            'secretsmanager:CreateSecret',
            'secretsmanager:DeleteSecret',
            'secretsmanager:DescribeSecret',
            'secretsmanager:PutSecretValue',
            'secretsmanager:UpdateSecret',
          ],
          [secretArn('sluice/provider-keys/*')],
        ),
        allow(['secretsmanager:ListSecrets'], ['*']),
        allow(['secretsmanager:GetSecretValue'], [signingKey]),
      ]),
    );
  });

  it('grants no wildcard action anywhere, and Bedrock only to the function that calls it', () => {
    const actions: Array<{ roles: string; action: string }> = [];
    for (const policy of Object.values(sized.template.findResources('AWS::IAM::Policy'))) {
      const roles = JSON.stringify(normalize(policy.Properties.Roles));
      for (const statement of policy.Properties.PolicyDocument.Statement as Array<{ Action: string | string[] }>) {
        for (const action of [statement.Action].flat()) actions.push({ roles, action });
      }
    }
    expect(actions.length).toBeGreaterThan(0);
    expect(actions.filter((a) => a.action.includes('*'))).toEqual([]);
    const bedrockRole = logicalId(sized.stack, functionNamed(sized.stack, 'bedrock').role);
    const rolesWithBedrock = new Set(actions.filter((a) => a.action.startsWith('bedrock:')).map((a) => a.roles));
    expect([...rolesWithBedrock]).toEqual([JSON.stringify([`\${${bedrockRole}}`])]);
  });

  it('uses no managed policies', () => {
    for (const role of Object.values(sized.template.findResources('AWS::IAM::Role'))) {
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    }
  });
});

describe('tables', () => {
  const tables = sized.template.findResources('AWS::DynamoDB::Table');

  it('builds every table definition: on demand, point-in-time recovery, TTL where defined, retained', () => {
    expect(Object.keys(tables)).toHaveLength(tableDefinitions.length);
    for (const definition of tableDefinitions) {
      const table = tables[logicalId(sized.stack, sized.stack.tables.table(definition.key))]!;
      expect(table.DeletionPolicy).toBe('Retain');
      expect(table.UpdateReplacePolicy).toBe('Retain');
      const keySchema = [{ AttributeName: definition.partitionKey.name, KeyType: 'HASH' }];
      if (definition.sortKey) keySchema.push({ AttributeName: definition.sortKey.name, KeyType: 'RANGE' });
      expect(table.Properties).toMatchObject({
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: keySchema,
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
      });
      if (definition.timeToLiveAttribute) {
        expect(table.Properties.TimeToLiveSpecification).toEqual({ AttributeName: definition.timeToLiveAttribute, Enabled: true });
      } else {
        expect(table.Properties.TimeToLiveSpecification).toBeUndefined();
      }
    }
  });

  it('expires interaction records by TTL', () => {
    sized.template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [Match.objectLike({ AttributeName: 'profileId' }), Match.objectLike({ AttributeName: 'sk' })],
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    });
  });
});

describe('dashboard and alarms', () => {
  const body = (): Record<string, unknown> => {
    const [dashboard] = Object.values(sized.template.findResources('AWS::CloudWatch::Dashboard'));
    return JSON.parse(String(normalize(dashboard!.Properties.DashboardBody))) as Record<string, unknown>;
  };

  function sluiceMetricNames(dashboard: unknown): Set<string> {
    const names = new Set<string>();
    const visit = (node: unknown): void => {
      if (Array.isArray(node)) {
        if (node[0] === METRICS_NAMESPACE && typeof node[1] === 'string') names.add(node[1]);
        node.forEach(visit);
      } else if (node && typeof node === 'object') {
        const expression = (node as { expression?: unknown }).expression;
        if (typeof expression === 'string') {
          for (const match of expression.matchAll(/\{Sluice,[^}]*\}[^']*MetricName="([^"]+)"/g)) names.add(match[1]!);
        }
        Object.values(node).forEach(visit);
      }
    };
    visit(dashboard);
    return names;
  }

  it('charts exactly the metrics lib/observability names', () => {
    expect([...sluiceMetricNames(body())].sort()).toEqual([...metricNames].sort());
  });

  it('charts by provider, with p50 and p99 for latency and time to first byte', () => {
    const text = JSON.stringify(body());
    for (const name of ['Latency', 'TimeToFirstByte']) {
      expect(text).toContain(`MetricName=\\"${name}\\"', 'p50'`);
      expect(text).toContain(`MetricName=\\"${name}\\"', 'p99'`);
    }
    expect(text).toContain('{Sluice,Provider,service}');
  });

  it('alarms on the gateway error rate and on each function’s errors and throttles', () => {
    const alarms = Object.values(sized.template.findResources('AWS::CloudWatch::Alarm'));
    expect(alarms).toHaveLength(1 + 2 * sized.stack.functions.length);
    const gateway = alarms.find((a) => JSON.stringify(a).includes('100 * errors / requests'))!;
    expect(gateway.Properties).toMatchObject({ Threshold: 5, ComparisonOperator: 'GreaterThanThreshold', TreatMissingData: 'notBreaching' });
    const throttles = alarms.filter((a) => JSON.stringify(a).includes('"MetricName":"Throttles"'));
    expect(throttles).toHaveLength(sized.stack.functions.length);
    for (const alarm of alarms) expect(alarm.Properties.AlarmActions).toBeUndefined();
  });

  it('sends alarm notifications to an encrypted topic when an address is given', () => {
    const { template } = synthGateway({ catalog: [openAiSpec], adminFunction: null, context: { alarmEmail: 'ops@example.com', errorRateAlarmPercent: 2 } });
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.com' });
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm'));
    for (const alarm of alarms) expect(alarm.Properties.AlarmActions).toHaveLength(1);
    expect(alarms.some((a) => a.Properties.Threshold === 2)).toBe(true);
  });
});

describe('outputs', () => {
  const outputs = sized.template.findOutputs('*');
  const value = (id: string) => normalize(outputs[id]?.Value);

  it('gives the base URL of every route, ready for a client', () => {
    for (const [name, route] of [
      ['openai', 'openai'],
      ['openai-compatible', 'groq'],
      ['openai-compatible', 'mistral'],
      ['bedrock', 'bedrock'],
    ] as const) {
      const fn = functionNamed(sized.stack, name);
      const id = `${route[0]!.toUpperCase()}${route.slice(1)}BaseUrl`;
      expect(value(id)).toBe(`\${${logicalId(sized.stack, fn.url)}.FunctionUrl}v1/${route}`);
    }
  });

  it('gives the admin URL, the table names and the secret names', () => {
    expect(value('AdminUrl')).toBe(`\${${logicalId(sized.stack, functionNamed(sized.stack, 'admin').url)}.FunctionUrl}`);
    expect(value('ProfilesTableName')).toBe(`\${${logicalId(sized.stack, sized.stack.tables.table('profiles'))}}`);
    expect(value('VirtualKeysTableName')).toBe(`\${${logicalId(sized.stack, sized.stack.tables.table('virtualKeys'))}}`);
    expect(value('InteractionsTableName')).toBe(`\${${logicalId(sized.stack, sized.stack.tables.table('interactions'))}}`);
    expect(value('ProviderKeySecretPrefix')).toBe('sluice/provider-keys/');
    expect(value('OAuthSigningKeySecretName')).toBe('sluice/oauth/signing-key');
    expect(value('DashboardUrl')).toContain('#dashboards/dashboard/');
  });
});

describe('which functions are deployed', () => {
  it('deploys the real catalog by default', () => {
    const { stack } = synthGateway({ adminFunction: null });
    expect(stack.functions.map((f) => f.spec.name)).toEqual([...proxyFunctions.map((f) => f.name), 'oauth']);
  });

  it('selects functions by name or by any route they serve', () => {
    const byRoute = synthGateway({ catalog, adminFunction: null, context: { providers: 'groq,bedrock' } });
    expect(byRoute.stack.functions.map((f) => f.spec.name)).toEqual(['openai-compatible', 'bedrock', 'oauth']);
    const byName = synthGateway({ catalog, adminFunction: admin, context: { providers: ['openai'] } });
    expect(byName.stack.functions.map((f) => f.spec.name)).toEqual(['openai', 'admin', 'oauth']);
  });

  it('refuses a provider no function serves, naming the choices', () => {
    expect(() => synthGateway({ catalog, adminFunction: null, context: { providers: 'openai,nope' } })).toThrow(
      /sluice:providers names nope, which no function serves; choose from: all, bedrock, groq, mistral, openai, openai-compatible/,
    );
  });

  it('refuses overrides for a function it does not deploy', () => {
    expect(() =>
      synthGateway({ catalog: [openAiSpec], adminFunction: null, context: { functionOverrides: { bedrock: { memoryMiB: 256 } } } }),
    ).toThrow(/sluice:functionOverrides names bedrock, which this stack does not deploy/);
  });

  it('refuses two functions serving one route', () => {
    expect(() =>
      synthGateway({ catalog: [openAiSpec, { ...compatibleSpec, routes: ['openai'] }], adminFunction: null }),
    ).toThrow(/two functions serve the route openai/);
  });
});
