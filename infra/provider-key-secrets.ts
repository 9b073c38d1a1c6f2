import { ArnFormat, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { PolicyStatement, type Role } from 'aws-cdk-lib/aws-iam';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import {
  OAUTH_SIGNING_KEY_SECRET_NAME,
  PROVIDER_KEY_SECRET_PREFIX,
  providerKeySecretPrefix,
} from '../lib/secrets/secret-names.ts';
import { acknowledge, acknowledgeWildcardResources } from './acknowledge.ts';

/**
 * Sluice's secrets in Secrets Manager. Provider keys are put there by the operator (`aws
 * secretsmanager create-secret`) or by the admin API, one secret per key under
 * `sluice/provider-keys/<provider>/`, so this construct does not create them: it scopes who may read
 * and manage them. It owns the OAuth signing key, generated at deploy time.
 */
export class ProviderKeySecrets extends Construct {
  readonly signingKey: Secret;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.signingKey = new Secret(this, 'OAuthSigningKey', {
      secretName: OAUTH_SIGNING_KEY_SECRET_NAME,
      description: 'Sluice: the key Sluice signs its OAuth access tokens with (HS256, 64 random characters).',
      generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
      // Access tokens are short-lived: a key lost with the stack only ends the tokens already issued.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    acknowledge(
      this.signingKey,
      ['AwsSolutions-SMG4'],
      'Rotating the signing key ends every access token it signed; the key is replaced by redeploying, and tokens are short-lived, so scheduled rotation would only cut live sessions.',
    );
  }

  /** The ARN pattern of every secret whose name starts with `namePrefix` (names get a random suffix). */
  private arnPattern(namePrefix: string): string {
    return Stack.of(this).formatArn({
      service: 'secretsmanager',
      resource: 'secret',
      resourceName: `${namePrefix}*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
  }

  /** A proxy function reads the keys of the providers it serves, and only those. */
  grantReadProviderKeys(role: Role, providers: readonly string[]): void {
    if (providers.length === 0) return;
    const prefixes = [...new Set(providers)].map((p) => providerKeySecretPrefix(p));
    role.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: prefixes.map((p) => this.arnPattern(p)) }),
    );
    acknowledgeWildcardResources(
      role,
      prefixes.map((p) => this.nagResource(p)),
      'Secret ARNs end in a random suffix; the pattern covers the keys of the providers this function serves, one secret per key.',
    );
  }

  /** The admin API creates, updates, describes and deletes provider keys; it never reads their values. */
  grantManageProviderKeys(role: Role): void {
    role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: [
          'secretsmanager:CreateSecret',
          'secretsmanager:DescribeSecret',
          'secretsmanager:PutSecretValue',
          'secretsmanager:UpdateSecret',
          'secretsmanager:DeleteSecret',
        ],
        resources: [this.arnPattern(PROVIDER_KEY_SECRET_PREFIX)],
      }),
    );
    role.addToPrincipalPolicy(new PolicyStatement({ actions: ['secretsmanager:ListSecrets'], resources: ['*'] }));
    acknowledgeWildcardResources(
      role,
      [this.nagResource(PROVIDER_KEY_SECRET_PREFIX)],
      'The admin API manages provider keys, one secret per key under sluice/provider-keys/; new keys get names (and ARN suffixes) unknown at deploy time.',
    );
    acknowledgeWildcardResources(
      role,
      ['*'],
      'secretsmanager:ListSecrets supports no resource-level permissions; the admin API lists names under sluice/provider-keys/ and cannot read any value.',
    );
  }

  grantReadSigningKey(role: Role): void {
    role.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [this.signingKey.secretArn] }),
    );
  }

  /** How cdk-nag prints the ARN pattern of a prefix in a finding. */
  private nagResource(namePrefix: string): string {
    return `arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:${namePrefix}*`;
  }
}
