import { Aws } from 'aws-cdk-lib';
import { PolicyStatement, type Role } from 'aws-cdk-lib/aws-iam';
import { acknowledgeWildcardResources } from './acknowledge.ts';

/**
 * Model inference. Per the Bedrock API reference, Converse is authorized by bedrock:InvokeModel and
 * ConverseStream by bedrock:InvokeModelWithResponseStream; the Converse names are listed as the
 * design states them and grant nothing beyond the InvokeModel pair.
 */
export const BEDROCK_INVOKE_ACTIONS = [
  'bedrock:Converse',
  'bedrock:ConverseStream',
  'bedrock:InvokeModel',
  'bedrock:InvokeModelWithResponseStream',
] as const;

/** Model discovery for `GET /v1/bedrock/models`. */
export const BEDROCK_LIST_ACTIONS = ['bedrock:ListInferenceProfiles'] as const;

/**
 * Lets a function call Bedrock with its own role (SigV4, no key): inference on foundation models and
 * inference profiles, and listing inference profiles; nothing else of Bedrock.
 */
export function grantBedrockAccess(role: Role): void {
  const { PARTITION: partition, ACCOUNT_ID: account } = Aws;
  const modelResources = [
    // A cross-region inference profile routes to the foundation model in any of its regions.
    `arn:${partition}:bedrock:*::foundation-model/*`,
    `arn:${partition}:bedrock:*:${account}:inference-profile/*`,
    `arn:${partition}:bedrock:*:${account}:application-inference-profile/*`,
  ];
  role.addToPrincipalPolicy(new PolicyStatement({ actions: [...BEDROCK_INVOKE_ACTIONS], resources: modelResources }));
  role.addToPrincipalPolicy(new PolicyStatement({ actions: [...BEDROCK_LIST_ACTIONS], resources: ['*'] }));
  acknowledgeWildcardResources(
    role,
    [
      'arn:<AWS::Partition>:bedrock:*::foundation-model/*',
      'arn:<AWS::Partition>:bedrock:*:<AWS::AccountId>:inference-profile/*',
      'arn:<AWS::Partition>:bedrock:*:<AWS::AccountId>:application-inference-profile/*',
    ],
    'The model is chosen per request by the client (the route carries the model id), and a cross-region inference profile invokes its model in several regions; the actions are inference only.',
  );
  acknowledgeWildcardResources(
    role,
    ['*'],
    'bedrock:ListInferenceProfiles is a list action on the account; it is the only action granted on all resources.',
  );
}
