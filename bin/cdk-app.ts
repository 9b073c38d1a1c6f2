#!/usr/bin/env node
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { GatewayStack } from '../infra/gateway-stack.ts';
import { SettingsError } from '../infra/gateway-settings.ts';

/**
 * The CDK app: `npx cdk deploy` (or `npm run synth`). Configuration is CDK context, `sluice:*`
 * (see infra/README-deploy.md); the stack name is `sluice:stackName` (default Sluice).
 */
const app = new App();
const stackName = String(app.node.tryGetContext('sluice:stackName') ?? 'Sluice');
try {
  new GatewayStack(app, stackName);
} catch (error) {
  if (!(error instanceof SettingsError)) throw error;
  process.stderr.write(`sluice: ${error.message}\n`);
  process.exit(1);
}
// The AWS Solutions checks run on every synth: a finding without an acknowledged reason fails it.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();
