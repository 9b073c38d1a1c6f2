import { App, type CfnElement, type Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { Template } from 'aws-cdk-lib/assertions';
import type { FunctionSpec } from '../../lib/function-catalog.ts';
import type { GatewayFunction } from '../../infra/gateway-function.ts';
import { GatewayStack, type GatewayStackProps } from '../../infra/gateway-stack.ts';
import { readGatewaySettings, type GatewaySettings } from '../../infra/gateway-settings.ts';

export interface SynthOptions extends Omit<GatewayStackProps, 'settings'> {
  /** `sluice:*` context values, without the prefix. */
  context?: Record<string, unknown>;
  /** Bundle the functions with esbuild (slower); off, the assertions see a placeholder asset. */
  bundle?: boolean;
  outdir?: string;
}

export interface Synthesized {
  app: App;
  stack: GatewayStack;
  template: Template;
  settings: GatewaySettings;
}

/** The gateway stack as `cdk synth` builds it, with the given context. */
export function synthGateway(options: SynthOptions = {}): Synthesized {
  const { context = {}, bundle = false, outdir, ...props } = options;
  const appContext: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(context)) appContext[`sluice:${key}`] = value;
  if (!bundle) appContext['aws:cdk:bundling-stacks'] = [];
  const app = new App({ context: appContext, outdir });
  const stack = new GatewayStack(app, 'Sluice', props);
  const settings = readGatewaySettings((key) => app.node.tryGetContext(key));
  return { app, stack, template: Template.fromStack(stack), settings };
}

/** A Bedrock-style catalog entry (the Bedrock helper's function is not on this branch yet). */
export const bedrockSpec: FunctionSpec = {
  name: 'bedrock',
  entry: 'functions/openai.ts',
  routes: ['bedrock'],
  needsBedrockAccess: true,
};

/** An OpenAI-compatible family entry: one function, several routes. */
export const compatibleSpec: FunctionSpec = {
  name: 'openai-compatible',
  entry: 'functions/openai.ts',
  routes: ['groq', 'mistral'],
};

export const openAiSpec: FunctionSpec = { name: 'openai', entry: 'functions/openai.ts', routes: ['openai'] };

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * CloudFormation intrinsics as readable text, so tests can compare whole statements:
 * `{Ref: AWS::Region}` → `${AWS::Region}`, `{Fn::GetAtt: [X, Arn]}` → `${X.Arn}`, Fn::Join joined.
 */
export function normalize(value: Json): Json {
  if (Array.isArray(value)) return value.map(normalize);
  if (value === null || typeof value !== 'object') return value;
  const keys = Object.keys(value);
  if (keys.length === 1) {
    const [key] = keys as [string];
    const arg = value[key]!;
    if (key === 'Ref') return `\${${String(arg)}}`;
    if (key === 'Fn::GetAtt') return `\${${(arg as string[]).join('.')}}`;
    if (key === 'Fn::Join') {
      const [separator, parts] = arg as [string, Json[]];
      return parts.map((part) => String(normalize(part))).join(separator);
    }
  }
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalize(v)]));
}

export interface Statement {
  Effect: string;
  Action: string[];
  Resource: string[];
}

/** Every statement of the identity policies attached to a role (by the role's logical id). */
export function roleStatements(template: Template, roleLogicalId: string): Statement[] {
  const statements: Statement[] = [];
  const policies = template.findResources('AWS::IAM::Policy') as Record<string, { Properties: { Roles: Json[]; PolicyDocument: { Statement: Json[] } } }>;
  for (const policy of Object.values(policies)) {
    const roles = policy.Properties.Roles.map((r) => normalize(r));
    if (!roles.includes(`\${${roleLogicalId}}`)) continue;
    for (const raw of policy.Properties.PolicyDocument.Statement) {
      const s = normalize(raw) as { Effect: string; Action: string | string[]; Resource: string | string[] };
      statements.push({
        Effect: s.Effect,
        Action: [s.Action].flat().sort(),
        Resource: [s.Resource].flat().sort(),
      });
    }
  }
  const roles = template.findResources('AWS::IAM::Role') as Record<string, { Properties: { Policies?: unknown[]; ManagedPolicyArns?: unknown[] } }>;
  const role = roles[roleLogicalId];
  if (!role) throw new Error(`no role ${roleLogicalId}`);
  if (role.Properties.Policies?.length || role.Properties.ManagedPolicyArns?.length) {
    throw new Error(`role ${roleLogicalId} has inline or managed policies the tests do not expect`);
  }
  return sortStatements(statements);
}

export function sortStatements(statements: Statement[]): Statement[] {
  return statements
    .map((s) => ({ Effect: s.Effect, Action: [...s.Action].sort(), Resource: [...s.Resource].sort() }))
    .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
}

/** The logical id of an L2 construct's CloudFormation resource. */
export function logicalId(stack: Stack, construct: IConstruct): string {
  return stack.resolve(stack.getLogicalId(construct.node.defaultChild as CfnElement)) as string;
}

/** A function of the stack by catalog name. */
export function functionNamed(stack: GatewayStack, name: string): GatewayFunction {
  const fn = stack.functions.find((f) => f.spec.name === name);
  if (!fn) throw new Error(`no function ${name}; the stack has ${stack.functions.map((f) => f.spec.name).join(', ')}`);
  return fn;
}
