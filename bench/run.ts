import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { measureColdStarts, type ColdStart } from './cold-start.ts';
import { percentile, runLoad, type LoadResult, type Target } from './load.ts';
import { cpuBetween, peakRss, procAvailable, readCpu, resetPeakRss, type CpuReading } from './process-stats.ts';
import { formatReport } from './report.ts';
import type { Comparison, Measurement, Row, Turn } from './results.ts';
import { startBareProxy, startPortkey, startSluice, startUpstream, type Server } from './servers.ts';

/**
 * Side-by-side benchmark, in one process tree and one run: the same workloads against the same
 * fake upstream, directly, through Sluice's local server, through the Portkey gateway and through
 * a bare Node proxy (the floor: Node's HTTP on both sides and nothing else); then the cold start
 * of each function bundle. Prints tables and writes bench/results.json.
 *
 *   npm run bench
 *   BENCH_SECONDS=3            measured seconds per case and target
 *   BENCH_ROUNDS=3             slices each case's time is cut into, direct and the gateways taking turns (each slice
 *                              after a 300 ms warm-up), so that the machine drifting during a case is shared by all
 *   BENCH_WARMUP_SECONDS=20    load at concurrency 8 on each freshly started gateway, per workload, before anything is
 *                              measured: V8 is still compiling a Node server's hot paths for its first tens of seconds
 *   BENCH_CONCURRENCY=1,32,256 concurrencies
 *   BENCH_WORKLOADS=chat,body-1mb,stream-500
 *   BENCH_GATEWAYS=sluice,portkey,bare
 *   BENCH_COLD_START_RUNS=7    fresh-process imports per bundle (0: skip the cold-start part)
 *   BENCH_PROFILE=1            run Sluice and the bare proxy under `node --cpu-prof` (profiles in bench/profiles/<name>/;
 *                              summarise with `node bench/profile-summary.ts bench/profiles/<name>/<file>`)
 */
const seconds = Number(process.env.BENCH_SECONDS ?? 3);
const rounds = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 3));
const gatewayWarmupSeconds = Number(process.env.BENCH_WARMUP_SECONDS ?? 20);
const concurrencies = (process.env.BENCH_CONCURRENCY ?? '1,32,256').split(',').map(Number);
const wantedWorkloads = (process.env.BENCH_WORKLOADS ?? 'chat,body-1mb,stream-500').split(',');
const gatewayNames = (process.env.BENCH_GATEWAYS ?? 'sluice,portkey,bare').split(',');
const coldStartRuns = Number(process.env.BENCH_COLD_START_RUNS ?? 7);
const profileDir = new URL('profiles/', import.meta.url).pathname;

interface Workload {
  name: string;
  body: Buffer;
  stream: boolean;
}

const chatBody = (content: string, stream = false) =>
  Buffer.from(JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content }], ...(stream ? { stream } : {}) }));

const workloads: Workload[] = [
  { name: 'chat', body: chatBody('Hello'), stream: false },
  // A 1 MB prompt (one long user message), answered with the small completion.
  { name: 'body-1mb', body: chatBody('lorem ipsum '.repeat(Math.ceil(1_000_000 / 12)).slice(0, 1_000_000)), stream: false },
  // The upstream streams 500 content chunks, each in its own write.
  { name: 'stream-500', body: chatBody('Hello', true), stream: true },
].filter((w) => wantedWorkloads.includes(w.name));

const round = (n: number, digits = 3) => (Number.isFinite(n) ? Math.round(n * 10 ** digits) / 10 ** digits : n);

function measure(result: LoadResult, stream: boolean, slice: Omit<Slice, 'result'>): Measurement {
  const { cpu, upstreamCpu, loadGeneratorCpuNs, machineCpuNs, peak } = slice;
  const latencies = result.samples.map((s) => s.latencyMs);
  const ttfbs = result.samples.map((s) => s.ttfbMs);
  const n = Math.max(1, result.samples.length);
  const m: Measurement = {
    requests: result.samples.length,
    errors: result.errors,
    rps: round((result.samples.length / result.durationMs) * 1000, 1),
    p50: round(percentile(latencies, 50)),
    p99: round(percentile(latencies, 99)),
    ttfbP50: round(percentile(ttfbs, 50)),
    ttfbP99: round(percentile(ttfbs, 99)),
    cpuMsPerRequest: round(cpu.totalNs / 1e6 / n, 4),
    cpuMsPerRequestMainOnly: round((cpu.totalNs - cpu.workerThreadsNs) / 1e6 / n, 4),
    upstreamCpuMsPerRequest: round(upstreamCpu.totalNs / 1e6 / n, 4),
    loadGeneratorCpuMsPerRequest: round(loadGeneratorCpuNs / 1e6 / n, 4),
    coresBusy: round(machineCpuNs / 1e6 / result.durationMs, 2),
    peakRssMb: round(peak / 1024 / 1024, 1),
  };
  if (result.firstError) m.firstError = result.firstError;
  if (stream) {
    m.gapP50 = round(percentile(result.gapsMs, 50));
    m.gapP99 = round(percentile(result.gapsMs, 99));
  }
  return m;
}

/** One slice of load on one target, with the CPU the serving process, the upstream and the load generator used meanwhile. */
interface Slice {
  result: LoadResult;
  cpu: CpuReading;
  upstreamCpu: CpuReading;
  loadGeneratorCpuNs: number;
  /** The three together, the upstream counted once when it is the serving process (direct). */
  machineCpuNs: number;
  peak: number;
}

/** This process's CPU (every thread), in nanoseconds: while a slice runs, the load generator's. */
const ownCpuNs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) * 1000;
};

async function measureSlice(target: Target, workload: Workload, concurrency: number, server: Server, upstream: Server): Promise<Slice> {
  let cpuBefore = readCpu(server.pid);
  let upstreamBefore = readCpu(upstream.pid);
  let ownBefore = ownCpuNs();
  let cpu = cpuBefore;
  let upstreamCpu = upstreamBefore;
  let loadGeneratorCpuNs = 0;
  const result = await runLoad(target, {
    concurrency,
    durationMs: (seconds * 1000) / rounds,
    stream: workload.stream,
    onMeasure: (phase) => {
      if (phase === 'start') {
        resetPeakRss(server.pid);
        cpuBefore = readCpu(server.pid);
        upstreamBefore = readCpu(upstream.pid);
        ownBefore = ownCpuNs();
      } else {
        loadGeneratorCpuNs = ownCpuNs() - ownBefore;
        cpu = cpuBetween(cpuBefore, readCpu(server.pid));
        upstreamCpu = cpuBetween(upstreamBefore, readCpu(upstream.pid));
      }
    },
  });
  const machineCpuNs = cpu.totalNs + (server.pid === upstream.pid ? 0 : upstreamCpu.totalNs) + loadGeneratorCpuNs;
  return { result, cpu, upstreamCpu, loadGeneratorCpuNs, machineCpuNs, peak: peakRss(server.pid) };
}

const addCpu = (a: CpuReading, b: CpuReading): CpuReading => ({
  totalNs: a.totalNs + b.totalNs,
  workerThreadsNs: a.workerThreadsNs + b.workerThreadsNs,
});

/** A target's slices as one measurement: every sample and gap, the time and CPU summed, the highest peak. */
function measureSlices(slices: Slice[], stream: boolean): Measurement {
  const gapsMs = new Float64Array(slices.reduce((n, s) => n + s.result.gapsMs.length, 0));
  let offset = 0;
  for (const { result } of slices) {
    gapsMs.set(result.gapsMs, offset);
    offset += result.gapsMs.length;
  }
  const result: LoadResult = {
    samples: slices.flatMap((s) => s.result.samples),
    gapsMs,
    durationMs: slices.reduce((ms, s) => ms + s.result.durationMs, 0),
    errors: slices.reduce((n, s) => n + s.result.errors, 0),
    firstError: slices.find((s) => s.result.firstError)?.result.firstError,
  };
  const zero: CpuReading = { totalNs: 0, workerThreadsNs: 0 };
  return measure(result, stream, {
    cpu: slices.reduce((sum, s) => addCpu(sum, s.cpu), zero),
    upstreamCpu: slices.reduce((sum, s) => addCpu(sum, s.upstreamCpu), zero),
    loadGeneratorCpuNs: slices.reduce((sum, s) => sum + s.loadGeneratorCpuNs, 0),
    machineCpuNs: slices.reduce((sum, s) => sum + s.machineCpuNs, 0),
    peak: Math.max(...slices.map((s) => s.peak)),
  });
}

function compare(gateway: Measurement, direct: Measurement): Comparison {
  const comparison: Comparison = {
    addedP50Ms: round(gateway.p50 - direct.p50),
    addedP99Ms: round(gateway.p99 - direct.p99),
    addedTtfbP50Ms: round(gateway.ttfbP50 - direct.ttfbP50),
    addedTtfbP99Ms: round(gateway.ttfbP99 - direct.ttfbP99),
    throughputVsDirect: round(gateway.rps / direct.rps),
  };
  if (gateway.gapP99 !== undefined && direct.gapP99 !== undefined) comparison.addedGapP99Ms = round(gateway.gapP99 - direct.gapP99);
  return comparison;
}

/** Each turn's slice of a gateway against the direct measurement of the same turn. */
function turnsOf(gatewaySlices: Slice[], directTurns: Measurement[], stream: boolean): Turn[] {
  return gatewaySlices.map((slice, i) => {
    const gateway = measureSlices([slice], stream);
    const { addedP50Ms, addedP99Ms } = compare(gateway, directTurns[i]!);
    return { addedP50Ms, addedP99Ms, rps: gateway.rps };
  });
}

const json = { 'content-type': 'application/json', authorization: 'Bearer sk-bench' };

function targetOf(upstream: Server, server: Server | undefined, body: Buffer): Target {
  if (!server) return { url: `${upstream.url}/v1/chat/completions`, headers: json, body };
  if (server.name === 'sluice') return { url: `${server.url}/v1/openai/chat/completions`, headers: json, body };
  if (server.name === 'bare') return { url: `${server.url}/v1/chat/completions`, headers: json, body };
  return {
    url: `${server.url}/v1/chat/completions`,
    headers: { ...json, 'x-portkey-provider': 'openai', 'x-portkey-custom-host': `${upstream.url}/v1` },
    body,
  };
}

async function startGateways(upstream: Server): Promise<Server[]> {
  const servers: Server[] = [];
  const flags = (name: string) => (process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}/${name}`] : []);
  if (process.env.BENCH_PROFILE) mkdirSync(profileDir, { recursive: true });
  if (gatewayNames.includes('sluice')) servers.push(await startSluice(upstream.url, flags('sluice')));
  if (gatewayNames.includes('portkey')) servers.push(await startPortkey());
  if (gatewayNames.includes('bare')) servers.push(await startBareProxy(upstream.url, flags('bare')));
  return servers;
}

/**
 * Each workload gets freshly started gateways (so that one workload's memory does not show in the
 * next one's peak RSS), warmed up on it before anything is measured; then each concurrency is
 * measured direct and through each gateway, taking turns in BENCH_ROUNDS slices.
 */
async function runWorkloads(): Promise<Row[]> {
  const upstream = await startUpstream();
  const rows: Row[] = [];
  try {
    for (const workload of workloads) {
      const servers = await startGateways(upstream);
      try {
        for (const server of [undefined, ...servers]) {
          // Direct needs little: the gateways' warm-ups run through the same upstream and load generator.
          const warmupLoadMs = server ? gatewayWarmupSeconds * 1000 : 1000;
          await runLoad(targetOf(upstream, server, workload.body), { concurrency: 8, durationMs: warmupLoadMs, warmupMs: 0, stream: workload.stream });
        }
        for (const concurrency of concurrencies) {
          const targets: Array<Server | undefined> = [undefined, ...servers];
          const slices = targets.map(() => [] as Slice[]);
          for (let turn = 0; turn < rounds; turn++) {
            for (const [i, server] of targets.entries()) {
              slices[i]!.push(await measureSlice(targetOf(upstream, server, workload.body), workload, concurrency, server ?? upstream, upstream));
            }
          }
          const direct = measureSlices(slices[0]!, workload.stream);
          const directTurns = slices[0]!.map((slice) => measureSlices([slice], workload.stream));
          const row: Row = { workload: workload.name, concurrency, direct, gateways: {}, turns: {} };
          for (const [i, server] of servers.entries()) {
            const m = measureSlices(slices[i + 1]!, workload.stream);
            row.gateways[server.name] = { ...m, ...compare(m, direct) };
            row.turns[server.name] = turnsOf(slices[i + 1]!, directTurns, workload.stream);
          }
          const { sluice, portkey } = row.gateways;
          if (sluice && portkey) {
            row.sluiceVsPortkey = round(sluice.rps / portkey.rps);
            row.sluiceVsPortkeyByTurn = row.turns.sluice!.map((turn, i) => round(turn.rps / row.turns.portkey![i]!.rps));
          }
          rows.push(row);
          process.stderr.write(`  measured ${workload.name} at concurrency ${concurrency}\n`);
        }
      } finally {
        for (const server of servers) await server.stop();
      }
    }
    return rows;
  } finally {
    await upstream.stop();
  }
}

async function main(): Promise<void> {
  if (!procAvailable()) throw new Error('the benchmark reads CPU and memory from /proc (Linux)');
  const loadBefore = loadavg();
  let coldStarts: ColdStart[] = [];
  if (coldStartRuns > 0) {
    process.stderr.write('Building the function bundles as deployed and timing their import…\n');
    coldStarts = measureColdStarts(coldStartRuns);
  }
  process.stderr.write(`Measuring ${workloads.length} workloads × ${concurrencies.length} concurrencies, ${seconds} s each…\n`);
  const rows = await runWorkloads();
  const results = {
    date: new Date().toISOString(),
    node: process.version,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    loadAverageBefore: loadBefore.map((l) => round(l, 2)),
    loadAverageAfter: loadavg().map((l) => round(l, 2)),
    secondsPerCase: seconds,
    roundsPerCase: rounds,
    gatewayWarmupSeconds,
    rows,
    coldStarts,
  };
  process.stdout.write(`${formatReport(results)}\n`);
  writeFileSync(new URL('results.json', import.meta.url), `${JSON.stringify(results, null, 2)}\n`);
}

await main();
