import type { ColdStart } from './cold-start.ts';

/** What bench/run.ts measures and writes to bench/results.json. */
export interface Measurement {
  requests: number;
  errors: number;
  firstError?: string;
  rps: number;
  p50: number;
  p99: number;
  ttfbP50: number;
  ttfbP99: number;
  gapP50?: number;
  gapP99?: number;
  /** CPU time of the serving process (the upstream's, for direct) per request, in ms. */
  cpuMsPerRequest: number;
  /** The same without worker threads (Sluice's embedded DynamoDB, which AWS runs elsewhere). */
  cpuMsPerRequestMainOnly: number;
  /** CPU of the fake upstream per request, in ms (it shares the cores). */
  upstreamCpuMsPerRequest: number;
  /** CPU of the load generator (the benchmark's own process) per request, in ms (it shares the cores too). */
  loadGeneratorCpuMsPerRequest: number;
  /**
   * The serving process, the fake upstream (when they differ) and the load generator together, in
   * cores kept busy over the measured time: near the machine's count, the case is bound by CPU.
   */
  coresBusy: number;
  peakRssMb: number;
}

export interface Comparison {
  addedP50Ms: number;
  addedP99Ms: number;
  addedTtfbP50Ms: number;
  addedTtfbP99Ms: number;
  addedGapP99Ms?: number;
  throughputVsDirect: number;
}

/** One turn of a gateway against the direct slice measured in the same turn: how much the figures move run to run. */
export interface Turn {
  addedP50Ms: number;
  addedP99Ms: number;
  rps: number;
}

export interface Row {
  workload: string;
  concurrency: number;
  direct: Measurement;
  gateways: Record<string, Measurement & Comparison>;
  /** Each gateway's turns, in order (the whole-case figures above pool them). */
  turns: Record<string, Turn[]>;
  /** Sluice's throughput over Portkey's. */
  sluiceVsPortkey?: number;
  /** The same, turn by turn. */
  sluiceVsPortkeyByTurn?: number[];
}

export interface Results {
  date: string;
  node: string;
  cpus: number;
  cpuModel: string | undefined;
  loadAverageBefore: number[];
  loadAverageAfter: number[];
  secondsPerCase: number;
  /** Slices each case's time was cut into, direct and the gateways taking turns. */
  roundsPerCase: number;
  /** Seconds of load at concurrency 8 on each freshly started gateway, per workload, before measuring. */
  gatewayWarmupSeconds: number;
  rows: Row[];
  coldStarts: ColdStart[];
}
