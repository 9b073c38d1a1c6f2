import { Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * Acknowledges cdk-nag findings on a construct (and its children), each with the reason it is
 * accepted. A finding id is `<rule>[<finding>]`, as cdk-nag prints it, e.g.
 * `AwsSolutions-IAM5[Resource::*]`.
 */
export function acknowledge(scope: IConstruct, ids: readonly string[], reason: string): void {
  for (const id of ids) Validations.of(scope).acknowledge({ id, reason });
}

/** IAM5 findings: wildcard resources that cannot be narrowed further. */
export function acknowledgeWildcardResources(scope: IConstruct, resources: readonly string[], reason: string): void {
  acknowledge(
    scope,
    resources.map((resource) => `AwsSolutions-IAM5[Resource::${resource}]`),
    reason,
  );
}
