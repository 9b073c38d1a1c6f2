import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

/*
 * The soak (see soak-run.ts) in a child process started with --expose-gc, so that its heap is
 * measured after forced collections and alone. In `npm test` it runs SOAK_ROUNDS=6 rounds of
 * 256 concurrent streams (under a minute); `npm run test:soak` runs it longer.
 */

const ROUNDS = process.env.SOAK_ROUNDS ?? '6';
/** What the heap may grow by between the end of the warm-up round and the end of the soak. */
const HEAP_GROWTH_BOUND_BYTES = 4 * 1024 * 1024;
/**
 * What the heap may grow by per request over the second half of the rounds, once caches and
 * compiled code have settled (a few hundred bytes is what V8's own bookkeeping does; a leaked
 * socket or buffer per request is kilobytes).
 */
const HEAP_GROWTH_PER_REQUEST_BOUND_BYTES = 1024;

interface Figures {
  rounds: number;
  concurrency: number;
  seed: number;
  requests: number;
  records: number;
  hung: number;
  clientsLeft: number;
  faultsInjected: Record<string, number>;
  faultsTotal: number;
  statuses: Record<string, number>;
  heapStartBytes: number;
  heapEndBytes: number;
  heapByRound: number[];
  resourcesStart: Record<string, number>;
  resourcesEnd: Record<string, number>;
  listenersStart: number;
  listenersEnd: number;
  sluiceSockets: { active: number; idle: number };
  upstreamOpen: number;
  warnings: string[];
  durationMs: number;
}

function runSoak(): Promise<Figures> {
  const script = fileURLToPath(new URL('./soak-run.ts', import.meta.url));
  return new Promise((resolve, reject) => {
    // --no-flush-bytecode: V8 would otherwise drop the bytecode of functions idle for a while,
    // a one-off step of megabytes that would hide a leak as easily as fake one.
    const child = spawn(process.execPath, ['--expose-gc', '--no-flush-bytecode', script], {
      env: { ...process.env, SOAK_ROUNDS: ROUNDS },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      const line = out.trim().split('\n').at(-1) ?? '';
      if (code !== 0 || !line.startsWith('{')) return reject(new Error(`the soak exited with ${code}: ${out.slice(-2000)}`));
      resolve(JSON.parse(line) as Figures);
    });
  });
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

it(`soaks ${ROUNDS} rounds (and a warm-up) of 256 concurrent streams with faults: nothing lost, nothing hung, nothing leaked`, async () => {
  const f = await runSoak();
  console.log(
    [
      `soak: ${f.rounds} rounds × ${f.concurrency} concurrent streams (OpenAI, Anthropic, Bedrock), seed ${f.seed}, ${Math.round(f.durationMs / 1000)} s`,
      `  requests ${f.requests}, records ${f.records}, hung ${f.hung}, clients that left mid-stream ${f.clientsLeft}`,
      `  faults injected ${f.faultsTotal}: ${JSON.stringify(f.faultsInjected)}`,
      `  statuses ${JSON.stringify(f.statuses)}`,
      `  heap after warm-up ${mb(f.heapStartBytes)}, at the end ${mb(f.heapEndBytes)} (by round: ${f.heapByRound.map(mb).join(', ')})`,
      `  Sluice's upstream sockets ${JSON.stringify(f.sluiceSockets)}, upstream connections open ${f.upstreamOpen}`,
      `  resources ${JSON.stringify(f.resourcesStart)} → ${JSON.stringify(f.resourcesEnd)}`,
    ].join('\n'),
  );
  expect(f.hung).toBe(0);
  expect(f.records).toBe(f.requests);
  expect(f.faultsTotal).toBeGreaterThan(0);
  expect(f.heapEndBytes - f.heapStartBytes).toBeLessThan(HEAP_GROWTH_BOUND_BYTES);
  const rounds = f.heapByRound.length;
  if (rounds >= 4) {
    const middle = Math.floor(rounds / 2) - 1;
    const perRequest = (f.heapByRound[rounds - 1]! - f.heapByRound[middle]!) / ((rounds - 1 - middle) * f.concurrency);
    console.log(`  heap growth over the second half: ${Math.round(perRequest)} bytes per request`);
    expect(perRequest).toBeLessThan(HEAP_GROWTH_PER_REQUEST_BOUND_BYTES);
  }
  // Only keep-alive sockets, idle in Sluice's pool, may still be open to the upstream.
  expect(f.sluiceSockets.active).toBe(0);
  expect(f.upstreamOpen).toBeLessThanOrEqual(f.sluiceSockets.idle);
  for (const [resource, count] of Object.entries(f.resourcesEnd)) {
    const allowed = (f.resourcesStart[resource] ?? 0) + (resource === 'TCPSocketWrap' ? f.upstreamOpen : 0);
    expect(count, resource).toBeLessThanOrEqual(allowed);
  }
  expect(f.listenersEnd).toBe(f.listenersStart);
  expect(f.warnings).toEqual([]);
}, 600_000);
