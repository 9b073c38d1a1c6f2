import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { functionBundles, type FunctionBundle } from '../infra/function-bundles.ts';
import { GatewayStack } from '../infra/gateway-stack.ts';

export interface ColdStart {
  name: string;
  bytes: number;
  /** Packages bundled beside the handler (imported lazily, not at cold start). */
  sidePackages: string[];
  /** Median time of `await import(bundle)` in a fresh Node process. */
  importMsMedian: number;
  importMsRuns: number[];
}

/**
 * What the Lambda runtime provides before it imports a handler: the `awslambda` global with
 * streamifyResponse. Then the bundle is imported and the time the import took is printed.
 */
const IMPORT_SCRIPT = `
globalThis.awslambda = { streamifyResponse: (handler) => handler, HttpResponseStream: { from: (stream) => stream } };
const started = performance.now();
const module = await import(process.argv[1]);
const ms = performance.now() - started;
if (typeof module.handler !== 'function') throw new Error('the bundle exports no handler');
process.stdout.write(String(ms));
`;

function sidePackagesOf(bundle: FunctionBundle): string[] {
  const modules = join(bundle.directory, 'node_modules');
  if (!existsSync(modules)) return [];
  return readdirSync(modules).flatMap((entry) =>
    entry.startsWith('@') ? readdirSync(join(modules, entry)).map((name) => `${entry}/${name}`) : [entry],
  );
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Time to import one bundle in a fresh Node process (the Node that runs this script: Node 24). */
export function timeImport(file: string): number {
  const output = execFileSync(process.execPath, ['--input-type=module', '-e', IMPORT_SCRIPT, file], {
    env: { PATH: process.env.PATH, AWS_REGION: 'us-east-1' },
    encoding: 'utf8',
  });
  return Number(output);
}

/**
 * Builds every function's bundle exactly as `cdk deploy` does (the stack's own esbuild settings,
 * side packages included) and times importing each in `runs` fresh processes.
 */
export function measureColdStarts(runs: number): ColdStart[] {
  const outdir = mkdtempSync(join(tmpdir(), 'sluice-bundles-'));
  try {
    const app = new App({ outdir });
    const stack = new GatewayStack(app, 'Sluice');
    const bundles = functionBundles(stack, stack.functions, app.synth());
    // Round after round over every bundle, so that a passing burst of load on the shared machine
    // lands on one run of several bundles rather than on every run of one.
    const times = bundles.map(() => [] as number[]);
    for (let run = 0; run < runs; run++) bundles.forEach((bundle, i) => times[i]!.push(timeImport(bundle.file)));
    return bundles.map((bundle, i) => ({
      name: bundle.name,
      bytes: bundle.bytes,
      sidePackages: sidePackagesOf(bundle),
      importMsMedian: median(times[i]!),
      importMsRuns: times[i]!,
    }));
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

// `node bench/cold-start.ts [runs]`: the cold-start part of the benchmark on its own.
if (process.argv[1] && import.meta.filename === process.argv[1]) {
  const runs = Number(process.argv[2] ?? 5);
  for (const c of measureColdStarts(runs)) {
    process.stdout.write(
      `${c.name.padEnd(18)} ${(c.bytes / 1024).toFixed(1).padStart(8)} KiB  import ${c.importMsMedian.toFixed(1).padStart(6)} ms (${c.importMsRuns.map((ms) => ms.toFixed(0)).join(', ')})\n`,
    );
  }
}
