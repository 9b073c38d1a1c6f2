import { Duration } from 'aws-cdk-lib';
import {
  Dashboard,
  GraphWidget,
  MathExpression,
  Metric,
  SingleValueWidget,
  TextWidget,
  type IMetric,
  type IWidget,
} from 'aws-cdk-lib/aws-cloudwatch';
import { Construct } from 'constructs';
import {
  METRICS_NAMESPACE,
  METRICS_SERVICE,
  MetricDimension,
  MetricName,
} from '../lib/observability/metric-names.ts';
import type { GatewayFunction } from './gateway-function.ts';

const PERIOD = Duration.minutes(5);
const WIDTH = 8;
const HEIGHT = 6;

/** One line per provider, for whichever providers emitted the metric: no list to keep in step. */
export function byProvider(name: MetricName, statistic: string, label = `\${PROP('Dim.${MetricDimension.Provider}')}`): MathExpression {
  const schema = `{${METRICS_NAMESPACE},${MetricDimension.Provider},${MetricDimension.Service}}`;
  const filter = `${MetricDimension.Service}="${METRICS_SERVICE}" MetricName="${name}"`;
  return new MathExpression({
    expression: `SEARCH('${schema} ${filter}', '${statistic}', ${PERIOD.toSeconds()})`,
    usingMetrics: {},
    label,
    period: PERIOD,
  });
}

/** A metric of the whole gateway (the `[service]` dimension set). */
export function gatewayMetric(name: MetricName, statistic: string, period: Duration = PERIOD): Metric {
  return new Metric({
    namespace: METRICS_NAMESPACE,
    metricName: name,
    dimensionsMap: { [MetricDimension.Service]: METRICS_SERVICE },
    statistic,
    period,
  });
}

export function gatewayErrorRate(): MathExpression {
  return new MathExpression({
    expression: 'IF(requests > 0, 100 * errors / requests, 0)',
    usingMetrics: { requests: gatewayMetric(MetricName.Requests, 'Sum'), errors: gatewayMetric(MetricName.Errors, 'Sum') },
    label: 'Error rate (%)',
    period: PERIOD,
  });
}

function graph(title: string, metrics: IMetric[], options: { unit?: string; width?: number } = {}): GraphWidget {
  return new GraphWidget({
    title,
    left: metrics,
    width: options.width ?? WIDTH,
    height: HEIGHT,
    leftYAxis: { min: 0, label: options.unit, showUnits: false },
  });
}

function functionGraph(title: string, functions: readonly GatewayFunction[], pick: (fn: GatewayFunction) => Metric): GraphWidget {
  return graph(
    title,
    functions.map((fn) => pick(fn).with({ label: fn.spec.name, period: PERIOD })),
    { width: 6 },
  );
}

/**
 * The gateway at a glance: traffic, errors, latency, time to first byte, tokens, cost, blocked tool
 * calls and agent executions by provider (from the metrics named in lib/observability), then the
 * Lambda view of each function.
 */
export class GatewayDashboard extends Construct {
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: { dashboardName: string; functions: readonly GatewayFunction[] }) {
    const { functions } = props;
    super(scope, id);
    const rows: IWidget[][] = [
      [
        new TextWidget({
          markdown:
            '## Sluice\nEvery graph below has one line per provider. Metrics: namespace `Sluice`, emitted by the handlers as CloudWatch EMF.',
          width: 24,
          height: 2,
        }),
      ],
      [
        new SingleValueWidget({
          title: 'Gateway totals over the selected range',
          metrics: [
            gatewayMetric(MetricName.Requests, 'Sum').with({ label: 'Requests' }),
            gatewayMetric(MetricName.Errors, 'Sum').with({ label: 'Errors' }),
            gatewayMetric(MetricName.InputTokens, 'Sum').with({ label: 'Input tokens' }),
            gatewayMetric(MetricName.OutputTokens, 'Sum').with({ label: 'Output tokens' }),
            gatewayMetric(MetricName.CostUsd, 'Sum').with({ label: 'Cost (USD)' }),
            gatewayMetric(MetricName.BlockedToolCalls, 'Sum').with({ label: 'Blocked tool calls' }),
            gatewayMetric(MetricName.AgentExecutions, 'Sum').with({ label: 'Agent executions' }),
          ],
          setPeriodToTimeRange: true,
          width: 24,
          height: 4,
        }),
      ],
      [
        graph('Requests by provider', [byProvider(MetricName.Requests, 'Sum')], { unit: 'requests' }),
        graph('Errors by provider', [byProvider(MetricName.Errors, 'Sum')], { unit: 'errors' }),
        graph('Error rate, whole gateway', [gatewayErrorRate()], { unit: '%' }),
      ],
      [
        graph(
          'Latency p50 / p99 by provider',
          [
            byProvider(MetricName.Latency, 'p50', `p50 \${PROP('Dim.${MetricDimension.Provider}')}`),
            byProvider(MetricName.Latency, 'p99', `p99 \${PROP('Dim.${MetricDimension.Provider}')}`),
          ],
          { unit: 'ms', width: 12 },
        ),
        graph(
          'Time to first byte p50 / p99 by provider',
          [
            byProvider(MetricName.TimeToFirstByte, 'p50', `p50 \${PROP('Dim.${MetricDimension.Provider}')}`),
            byProvider(MetricName.TimeToFirstByte, 'p99', `p99 \${PROP('Dim.${MetricDimension.Provider}')}`),
          ],
          { unit: 'ms', width: 12 },
        ),
      ],
      [
        graph('Input tokens by provider', [byProvider(MetricName.InputTokens, 'Sum')], { unit: 'tokens' }),
        graph('Output tokens by provider', [byProvider(MetricName.OutputTokens, 'Sum')], { unit: 'tokens' }),
        graph('Cost by provider', [byProvider(MetricName.CostUsd, 'Sum')], { unit: 'USD' }),
      ],
      [
        graph('Blocked tool calls by provider', [byProvider(MetricName.BlockedToolCalls, 'Sum')], { unit: 'calls', width: 12 }),
        graph('Agent executions by provider', [byProvider(MetricName.AgentExecutions, 'Sum')], { unit: 'executions', width: 12 }),
      ],
      [
        functionGraph('Lambda invocations', functions, (fn) => fn.function.metricInvocations({ statistic: 'Sum' })),
        functionGraph('Lambda errors', functions, (fn) => fn.function.metricErrors({ statistic: 'Sum' })),
        functionGraph('Lambda throttles', functions, (fn) => fn.function.metricThrottles({ statistic: 'Sum' })),
        functionGraph('Lambda concurrent executions', functions, (fn) =>
          fn.function.metric('ConcurrentExecutions', { statistic: 'Maximum' }),
        ),
      ],
    ];
    this.dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: props.dashboardName,
      widgets: rows,
      defaultInterval: Duration.hours(3),
    });
  }
}
