/**
 * CloudWatch Embedded Metric Format, one document per line: the `_aws` metadata names the
 * namespace, the dimension sets and each metric's unit; the dimension values, the metric values
 * and any other searchable properties sit at the top level.
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
 */
export interface EmfMetric {
  name: string;
  unit: string;
  value: number;
}

export interface EmfDocument {
  namespace: string;
  dimensionSets: ReadonlyArray<ReadonlyArray<string>>;
  /** Every dimension any set names, with its value. */
  dimensions: Readonly<Record<string, string>>;
  metrics: ReadonlyArray<EmfMetric>;
  /** Searchable in the log line, never dimensions. */
  properties?: Readonly<Record<string, string>>;
  timestamp?: number;
}

/** One EMF document as a JSON line (with its newline). */
export function emfLine(document: EmfDocument): string {
  const values: Record<string, string | number> = { ...document.properties, ...document.dimensions };
  for (const metric of document.metrics) values[metric.name] = metric.value;
  const aws = {
    Timestamp: document.timestamp ?? Date.now(),
    CloudWatchMetrics: [
      {
        Namespace: document.namespace,
        Dimensions: document.dimensionSets,
        Metrics: document.metrics.map(({ name, unit }) => ({ Name: name, Unit: unit })),
      },
    ],
  };
  return `${JSON.stringify({ _aws: aws, ...values })}\n`;
}
