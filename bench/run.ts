import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { percentile, runLoad, type LoadResult, type Target } from './load.ts';

/**
 * Side-by-side benchmark: the same requests to the same fake upstream, directly and through
 * Sluice's local server, in one run. Reports added latency and throughput ratios.
 *   npm run bench                 (BENCH_SECONDS=3 per case by default)
 */
const seconds = Number(process.env.BENCH_SECONDS ?? 3);
const root = new URL('..', import.meta.url).pathname;

function start(args: string[], env: Record<string, string>, readyLine: RegExp): Promise<{ child: ChildProcess; line: string }> {
  const child = spawn(process.execPath, args, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      if (readyLine.test(line)) resolve({ child, line });
    });
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${code}`)));
  });
}

interface Row {
  workload: string;
  concurrency: number;
  direct: Summary;
  sluice: Summary;
  addedP50Ms: number;
  addedP99Ms: number;
  addedTtfbP50Ms: number;
  throughputRatio: number;
  addedGapP99Ms?: number;
}

interface Summary {
  requests: number;
  errors: number;
  rps: number;
  p50: number;
  p99: number;
  ttfbP50: number;
  gapP99?: number;
}

function summarize(result: LoadResult, stream: boolean): Summary {
  const latencies = result.samples.map((s) => s.latencyMs);
  const summary: Summary = {
    requests: result.samples.length,
    errors: result.errors,
    rps: (result.samples.length / result.durationMs) * 1000,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    ttfbP50: percentile(result.samples.map((s) => s.ttfbMs), 50),
  };
  if (stream) summary.gapP99 = percentile(result.samples.flatMap((s) => s.gapsMs), 99);
  return summary;
}

const round = (n: number) => Math.round(n * 1000) / 1000;

async function main() {
  const upstream = await start(["bench/fake-upstream-process.ts"], { FAKE_STREAM_CHUNKS: "50" }, /^http:/);
  const upstreamUrl = upstream.line.trim();
  const dataDir = mkdtempSync(join(tmpdir(), 'sluice-bench-'));
  const port = String(19000 + Math.floor(Math.random() * 1000));
  const sluice = await start(
    ['bin/sluice.ts', 'start'],
    { PORT: port, SLUICE_DATA_DIR: dataDir, SLUICE_OPENAI_BASE_URL: `${upstreamUrl}/v1`, SLUICE_LOG_LEVEL: 'ERROR' },
    /listening on/,
  );
  const sluiceUrl = `http://127.0.0.1:${port}/v1/openai`;
  const headers = { 'content-type': 'application/json', authorization: 'Bearer sk-bench' };
  const chat = Buffer.from(JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hello' }] }));
  const streamBody = Buffer.from(
    JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hello' }], stream: true }),
  );
  const workloads = [
    { name: 'chat', body: chat, stream: false },
    { name: 'stream-50', body: streamBody, stream: true },
  ];
  const rows: Row[] = [];
  try {
    for (const workload of workloads) {
      for (const concurrency of [1, 32]) {
        const direct: Target = { url: `${upstreamUrl}/v1/chat/completions`, headers, body: workload.body };
        const proxied: Target = { url: `${sluiceUrl}/chat/completions`, headers, body: workload.body };
        const d = summarize(await runLoad(direct, concurrency, seconds * 1000), workload.stream);
        const s = summarize(await runLoad(proxied, concurrency, seconds * 1000), workload.stream);
        const row: Row = {
          workload: workload.name,
          concurrency,
          direct: d,
          sluice: s,
          addedP50Ms: round(s.p50 - d.p50),
          addedP99Ms: round(s.p99 - d.p99),
          addedTtfbP50Ms: round(s.ttfbP50 - d.ttfbP50),
          throughputRatio: round(s.rps / d.rps),
        };
        if (workload.stream) row.addedGapP99Ms = round((s.gapP99 ?? 0) - (d.gapP99 ?? 0));
        rows.push(row);
        process.stderr.write(`  done: ${workload.name} c=${concurrency}\n`);
      }
    }
  } finally {
    sluice.child.kill('SIGTERM');
    upstream.child.kill('SIGTERM');
  }
  console.log('\nSluice vs direct (same fake upstream, same run)');
  console.table(
    rows.map((r) => ({
      workload: r.workload,
      conc: r.concurrency,
      'direct p50 ms': round(r.direct.p50),
      'sluice p50 ms': round(r.sluice.p50),
      'added p50 ms': r.addedP50Ms,
      'added p99 ms': r.addedP99Ms,
      'added ttfb p50 ms': r.addedTtfbP50Ms,
      'added gap p99 ms': Number.isFinite(r.addedGapP99Ms) ? r.addedGapP99Ms : '',
      'direct rps': Math.round(r.direct.rps),
      'sluice rps': Math.round(r.sluice.rps),
      'rps ratio': r.throughputRatio,
      errors: r.direct.errors + r.sluice.errors,
    })),
  );
  writeFileSync(new URL('results.json', import.meta.url), `${JSON.stringify({ date: new Date().toISOString(), seconds, rows }, null, 2)}\n`);
}

await main();
