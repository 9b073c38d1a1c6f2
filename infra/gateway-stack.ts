import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Aws, CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import {
  adminFunction as catalogAdminFunction,
  oauthFunction as catalogOAuthFunction,
  proxyFunctions,
  proxyTableAccess,
  type FunctionSpec,
} from '../lib/function-catalog.ts';
import { OAUTH_SIGNING_KEY_SECRET_NAME, PROVIDER_KEY_SECRET_PREFIX } from '../lib/secrets/secret-names.ts';
import { tableDefinitions, type TableDefinition } from '../lib/storage/tables.ts';
import { GatewayAlarms } from './alarms.ts';
import { grantBedrockAccess } from './bedrock-access.ts';
import { GatewayDashboard } from './dashboard.ts';
import { DataTables } from './data-tables.ts';
import { functionEnvironment } from './function-environment.ts';
import { GatewayFunction } from './gateway-function.ts';
import { readGatewaySettings, sizingFor, SettingsError, type GatewaySettings } from './gateway-settings.ts';
import { ProviderKeySecrets } from './provider-key-secrets.ts';

export interface GatewayStackProps extends StackProps {
  /** The proxy functions to build; defaults to lib/function-catalog's proxyFunctions. */
  catalog?: readonly FunctionSpec[];
  /**
   * The admin function; defaults to the catalog's admin entry when its handler file exists.
   * `null` leaves it out.
   */
  adminFunction?: FunctionSpec | null;
  /** The OAuth token endpoint's function; defaults to the catalog's when its handler exists. `null` leaves it out. */
  oauthFunction?: FunctionSpec | null;
  /** Defaults to the settings in CDK context (`sluice:*`). */
  settings?: GatewaySettings;
  /** Defaults to the repository root (the directory above infra/). */
  projectRoot?: string;
  tables?: readonly TableDefinition[];
}

const DEFAULT_PROJECT_ROOT = join(import.meta.dirname, '..');

/** `model-router` → `ModelRouter`, for output ids. */
function pascal(name: string): string {
  return name
    .split(/[^a-zA-Z0-9]+/)
    .filter(Boolean)
    .map((part) => part[0]!.toUpperCase() + part.slice(1))
    .join('');
}

/** A catalog function, once its handler exists in the project. */
function ifPresent(spec: FunctionSpec, projectRoot: string): FunctionSpec | undefined {
  return existsSync(join(projectRoot, spec.entry)) ? spec : undefined;
}

/** The catalog's admin function, once its handler exists in the project. */
export function defaultAdminFunction(projectRoot: string): FunctionSpec | undefined {
  return ifPresent(catalogAdminFunction, projectRoot);
}

/** The catalog entries the `providers` setting selects: by function name or by any of its routes. */
export function selectFunctions(catalog: readonly FunctionSpec[], providers: GatewaySettings['providers']): FunctionSpec[] {
  if (providers === 'all') return [...catalog];
  const known = new Set(catalog.flatMap((spec) => [spec.name, ...spec.routes]));
  const unknown = providers.filter((p) => !known.has(p));
  if (unknown.length > 0) {
    throw new SettingsError(
      `sluice:providers names ${unknown.join(', ')}, which no function serves; choose from: all, ${[...known].sort().join(', ')}`,
    );
  }
  const wanted = new Set(providers);
  return catalog.filter((spec) => wanted.has(spec.name) || spec.routes.some((route) => wanted.has(route)));
}

/**
 * Sluice on AWS: one streaming function URL per route family, the admin function behind an
 * IAM-authenticated URL, the data tables, the provider-key secrets' permissions, a dashboard and
 * alarms. Everything is built from data: the function catalog, the table definitions and the
 * `sluice:*` context settings.
 */
export class GatewayStack extends Stack {
  readonly functions: GatewayFunction[] = [];
  readonly tables: DataTables;
  readonly secrets: ProviderKeySecrets;

  constructor(scope: Construct, id: string, props: GatewayStackProps = {}) {
    super(scope, id, {
      description: 'Sluice: an LLM security proxy (function URLs per provider, DynamoDB, Secrets Manager, CloudWatch).',
      ...props,
    });
    const settings = props.settings ?? readGatewaySettings((key) => this.node.tryGetContext(key));
    const projectRoot = props.projectRoot ?? DEFAULT_PROJECT_ROOT;
    const proxies = selectFunctions(props.catalog ?? proxyFunctions, settings.providers);
    const admin = props.adminFunction === undefined ? defaultAdminFunction(projectRoot) : (props.adminFunction ?? undefined);
    const oauth = props.oauthFunction === undefined ? ifPresent(catalogOAuthFunction, projectRoot) : (props.oauthFunction ?? undefined);
    const specs = [...proxies, ...(admin ? [admin] : []), ...(oauth ? [oauth] : [])];
    checkNames(specs, settings);

    this.tables = new DataTables(this, 'Tables', props.tables ?? tableDefinitions);
    this.secrets = new ProviderKeySecrets(this, 'Secrets');

    for (const spec of specs) {
      const sizing = sizingFor(settings, spec.name);
      const fn = new GatewayFunction(this, pascal(spec.name), {
        spec,
        projectRoot,
        sizing,
        logRetention: settings.logRetentionDays as RetentionDays,
        environment: functionEnvironment(settings, this.tables.environment(), sizing.timeoutSeconds),
      });
      this.grant(fn, settings);
      this.functions.push(fn);
    }

    const dashboard = new GatewayDashboard(this, 'Dashboard', { dashboardName: this.stackName, functions: this.functions });
    new GatewayAlarms(this, 'Alarms', {
      functions: this.functions,
      errorRatePercent: settings.errorRateAlarmPercent,
      email: settings.alarmEmail,
    });
    this.addOutputs(dashboard);
  }

  private grant(fn: GatewayFunction, settings: GatewaySettings): void {
    const { spec, role } = fn;
    this.tables.grant(role, spec.tableAccess ?? proxyTableAccess);
    this.secrets.grantReadProviderKeys(role, spec.providerKeysOf ?? spec.routes);
    if (spec.readsOAuthSigningKey) this.secrets.grantReadSigningKey(role);
    if (spec.managesProviderKeys) this.secrets.grantManageProviderKeys(role);
    if (spec.needsBedrockAccess && settings.bedrock.iamAuth) grantBedrockAccess(role);
  }

  private addOutputs(dashboard: GatewayDashboard): void {
    for (const fn of this.functions) {
      if (fn.spec.urlAuth === 'AWS_IAM') {
        new CfnOutput(this, `${pascal(fn.spec.name)}Url`, {
          description: `The ${fn.spec.name} API (IAM-authenticated: sign requests with SigV4, service lambda).`,
          value: fn.url.url,
        });
        continue;
      }
      for (const prefix of fn.spec.pathPrefixes ?? []) {
        if (prefix !== '/oauth/') continue;
        new CfnOutput(this, `${pascal(fn.spec.name)}TokenUrl`, {
          description: 'The OAuth 2.0 token endpoint (client credentials) for backend services.',
          value: `${fn.url.url}oauth/token`,
        });
      }
      for (const route of fn.spec.routes) {
        new CfnOutput(this, `${pascal(route)}BaseUrl`, {
          description: `Base URL of the ${route} route for its SDK (append /<profile> for a profile other than default).`,
          // The function URL ends with a slash.
          value: `${fn.url.url}v1/${route}`,
        });
      }
    }
    for (const definition of this.tables.definitions) {
      new CfnOutput(this, `${pascal(definition.key)}TableName`, {
        description: `DynamoDB table: ${definition.key}.`,
        value: this.tables.table(definition.key).tableName,
      });
    }
    new CfnOutput(this, 'ProviderKeySecretPrefix', {
      description: 'Provider keys are Secrets Manager secrets named <prefix><provider>/<keyId>.',
      value: PROVIDER_KEY_SECRET_PREFIX,
    });
    new CfnOutput(this, 'OAuthSigningKeySecretName', {
      description: 'The secret holding the key Sluice signs OAuth access tokens with.',
      value: OAUTH_SIGNING_KEY_SECRET_NAME,
    });
    new CfnOutput(this, 'DashboardUrl', {
      description: 'The CloudWatch dashboard.',
      value: `https://console.aws.amazon.com/cloudwatch/home?region=${Aws.REGION}#dashboards/dashboard/${dashboard.dashboard.dashboardName}`,
    });
  }
}

function checkNames(specs: readonly FunctionSpec[], settings: GatewaySettings): void {
  const names = new Set<string>();
  const routes = new Set<string>();
  for (const spec of specs) {
    if (names.has(spec.name)) throw new SettingsError(`two functions are named ${spec.name}`);
    names.add(spec.name);
    for (const route of spec.routes) {
      if (routes.has(route)) throw new SettingsError(`two functions serve the route ${route}`);
      routes.add(route);
    }
  }
  const unknown = Object.keys(settings.functionOverrides).filter((name) => !names.has(name));
  if (unknown.length > 0) {
    throw new SettingsError(
      `sluice:functionOverrides names ${unknown.join(', ')}, which this stack does not deploy; deployed: ${[...names].join(', ')}`,
    );
  }
}
