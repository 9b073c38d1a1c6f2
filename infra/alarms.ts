import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, MathExpression, TreatMissingData, type IAlarmAction } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { gatewayErrorRate } from './dashboard.ts';
import type { GatewayFunction } from './gateway-function.ts';

export interface GatewayAlarmsProps {
  functions: readonly GatewayFunction[];
  /** Percentage of requests that may fail before the error-rate alarms fire. */
  errorRatePercent: number;
  /** Where alarm notifications go; without it the alarms only change state. */
  email?: string;
}

const PERIOD = Duration.minutes(5);

/**
 * Alarms on the gateway's error rate (Sluice's own Requests and Errors metrics), on each
 * function's Lambda error rate (handler crashes, which Sluice cannot count itself) and on each
 * function's throttles.
 */
export class GatewayAlarms extends Construct {
  readonly alarms: Alarm[] = [];
  readonly topic?: Topic;

  constructor(scope: Construct, id: string, props: GatewayAlarmsProps) {
    super(scope, id);
    let action: IAlarmAction | undefined;
    if (props.email) {
      // CloudWatch cannot publish to a topic encrypted with the AWS-managed SNS key; this key lets it.
      const key = new Key(this, 'TopicKey', { enableKeyRotation: true, description: 'Sluice alarm notifications' });
      key.grant(new ServicePrincipal('cloudwatch.amazonaws.com'), 'kms:Decrypt', 'kms:GenerateDataKey*');
      this.topic = new Topic(this, 'Topic', { displayName: 'Sluice alarms', masterKey: key, enforceSSL: true });
      this.topic.addSubscription(new EmailSubscription(props.email));
      action = new SnsAction(this.topic);
    }

    this.add(
      new Alarm(this, 'GatewayErrorRate', {
        alarmDescription: `More than ${props.errorRatePercent}% of Sluice requests failed (5xx or upstream failure) in 2 of 3 five-minute periods.`,
        metric: gatewayErrorRate(),
        threshold: props.errorRatePercent,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 3,
        datapointsToAlarm: 2,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
      action,
    );
    for (const fn of props.functions) {
      const name = fn.spec.name;
      this.add(
        new Alarm(this, `${fn.node.id}ErrorRate`, {
          alarmDescription: `The Sluice ${name} function failed (Lambda Errors) on more than ${props.errorRatePercent}% of invocations in 2 of 3 five-minute periods.`,
          metric: new MathExpression({
            expression: 'IF(invocations > 0, 100 * errors / invocations, 0)',
            usingMetrics: {
              invocations: fn.function.metricInvocations({ statistic: 'Sum', period: PERIOD }),
              errors: fn.function.metricErrors({ statistic: 'Sum', period: PERIOD }),
            },
            label: `${name} Lambda error rate (%)`,
            period: PERIOD,
          }),
          threshold: props.errorRatePercent,
          comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
          evaluationPeriods: 3,
          datapointsToAlarm: 2,
          treatMissingData: TreatMissingData.NOT_BREACHING,
        }),
        action,
      );
      this.add(
        new Alarm(this, `${fn.node.id}Throttles`, {
          alarmDescription: `The Sluice ${name} function was throttled: requests were refused for lack of concurrency.`,
          metric: fn.function.metricThrottles({ statistic: 'Sum', period: PERIOD }),
          threshold: 1,
          comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          evaluationPeriods: 1,
          treatMissingData: TreatMissingData.NOT_BREACHING,
        }),
        action,
      );
    }
  }

  private add(alarm: Alarm, action: IAlarmAction | undefined): void {
    if (action) alarm.addAlarmAction(action);
    this.alarms.push(alarm);
  }
}
