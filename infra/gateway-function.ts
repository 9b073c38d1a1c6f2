import { join } from 'node:path';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, FunctionUrlAuthType, InvokeMode, Runtime, Tracing, type FunctionUrl } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { FunctionSpec } from '../lib/function-catalog.ts';
import { acknowledgeWildcardResources } from './acknowledge.ts';
import { functionBundling } from './bundling.ts';
import type { FunctionSizing } from './gateway-settings.ts';

export interface GatewayFunctionProps {
  spec: FunctionSpec;
  /** The directory holding package.json, package-lock.json and the function entries. */
  projectRoot: string;
  sizing: FunctionSizing;
  logRetention: RetentionDays;
  environment: Record<string, string>;
}

/**
 * One Sluice function: a bundled Node 24 arm64 handler with its own role (nothing but its log group
 * and X-Ray until the stack grants more), a log group with a retention period, active tracing, and a
 * function URL that streams the response (RESPONSE_STREAM).
 */
export class GatewayFunction extends Construct {
  readonly spec: FunctionSpec;
  readonly role: Role;
  readonly function: NodejsFunction;
  readonly url: FunctionUrl;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: GatewayFunctionProps) {
    super(scope, id);
    const { spec, sizing } = props;
    this.spec = spec;
    this.logGroup = new LogGroup(this, 'Logs', { retention: props.logRetention, removalPolicy: RemovalPolicy.DESTROY });
    // An own role instead of the default one, which would carry the AWSLambdaBasicExecutionRole managed
    // policy (logs on every log group); this one may write only to its own log group.
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Sluice ${spec.name} function`,
    });
    this.function = new NodejsFunction(this, 'Function', {
      description: `Sluice: ${spec.routes.length > 0 ? `/v1/${spec.routes.join(', /v1/')}` : spec.name}`,
      entry: join(props.projectRoot, spec.entry),
      handler: 'handler',
      projectRoot: props.projectRoot,
      depsLockFilePath: join(props.projectRoot, 'package-lock.json'),
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: sizing.memoryMiB,
      timeout: Duration.seconds(sizing.timeoutSeconds),
      reservedConcurrentExecutions: sizing.reservedConcurrency,
      tracing: Tracing.ACTIVE,
      logGroup: this.logGroup,
      role: this.role,
      environment: props.environment,
      bundling: functionBundling,
    });
    this.logGroup.grantWrite(this.role);
    acknowledgeWildcardResources(
      this.role,
      ['*'],
      'X-Ray (xray:PutTraceSegments, xray:PutTelemetryRecords, added by active tracing) supports no resource-level permissions.',
    );
    this.url = this.function.addFunctionUrl({
      authType: spec.urlAuth === 'AWS_IAM' ? FunctionUrlAuthType.AWS_IAM : FunctionUrlAuthType.NONE,
      invokeMode: InvokeMode.RESPONSE_STREAM,
    });
  }
}
