/**
 * The soak itself, run in its own Node process (`node --expose-gc`) so that its heap is measured
 * alone: rounds of SOAK_CONCURRENCY (256) concurrent streaming clients across OpenAI, Anthropic
 * and Bedrock, with a seeded mix of upstream faults and clients that leave mid-stream. Prints one
 * JSON line of figures for soak.test.ts to check. SOAK_ROUNDS sets the length (after one warm-up).
 */
import http from 'node:http';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { getRuntime } from '../../lib/runtime.ts';
import { FAULT_HEADER, FaultyUpstream, streamFormats, type Behaviour, type FormatName } from '../fakes/faults.ts';
import { startGateway } from '../support/gateway.ts';
import { routes } from './support/fault-routes.ts';

const ROUNDS = Number(process.env.SOAK_ROUNDS ?? 6);
const CONCURRENCY = Number(process.env.SOAK_CONCURRENCY ?? 256);
const SEED = Number(process.env.SOAK_SEED ?? 256_2025);
/** A bound on one request: past it the request counts as hung (every fault ends well before). */
const REQUEST_BOUND_MS = 20_000;

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');

/** mulberry32: a small seeded PRNG, so a soak is reproducible. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Plan = { behaviour: Behaviour; clientLeaves: boolean };
const mix: Array<[Plan, number]> = [
  [{ behaviour: 'ok', clientLeaves: false }, 50],
  [{ behaviour: 'trickle', clientLeaves: false }, 6],
  [{ behaviour: 'reset-before-headers', clientLeaves: false }, 5],
  [{ behaviour: 'no-headers', clientLeaves: false }, 3],
  [{ behaviour: 'reset-mid-stream', clientLeaves: false }, 8],
  [{ behaviour: 'stall', clientLeaves: false }, 5],
  [{ behaviour: 'malformed', clientLeaves: false }, 6],
  [{ behaviour: 'never-ends', clientLeaves: false }, 3],
  [{ behaviour: 'never-ends', clientLeaves: true }, 7],
  [{ behaviour: 'stall', clientLeaves: true }, 7],
];
const totalWeight = mix.reduce((sum, [, weight]) => sum + weight, 0);
const providers: FormatName[] = ['openai', 'anthropic', 'bedrock'];

function pick(next: () => number): Plan {
  let roll = next() * totalWeight;
  for (const [plan, weight] of mix) {
    roll -= weight;
    if (roll < 0) return plan;
  }
  return mix[0]![0];
}

interface Result {
  status: number;
  hung: boolean;
  left: boolean;
}

function request(gatewayUrl: URL, format: FormatName, plan: Plan): Promise<Result> {
  const { headers, stream } = routes[format];
  const head = Buffer.concat(streamFormats[format].events.slice(0, streamFormats[format].head)).byteLength;
  return new Promise((resolve) => {
    let settled = false;
    const done = (result: Result) => {
      if (settled) return;
      settled = true;
      clearTimeout(bound);
      resolve(result);
    };
    const req = http.request(
      {
        host: gatewayUrl.hostname,
        port: gatewayUrl.port,
        method: 'POST',
        path: stream.path,
        agent: false,
        // No case header: the fake would keep each case's socket for a test to ask about.
        headers: { 'content-type': 'application/json', ...headers, [FAULT_HEADER]: plan.behaviour },
      },
      (res) => {
        let received = 0;
        res.on('data', (chunk: Buffer) => {
          received += chunk.byteLength;
          if (plan.clientLeaves && received >= head) {
            req.destroy();
            done({ status: res.statusCode ?? 0, hung: false, left: true });
          }
        });
        res.on('end', () => done({ status: res.statusCode ?? 0, hung: false, left: false }));
        res.on('error', () => done({ status: res.statusCode ?? 0, hung: false, left: plan.clientLeaves }));
      },
    );
    const bound = setTimeout(() => {
      req.destroy();
      done({ status: 0, hung: true, left: false });
    }, REQUEST_BOUND_MS);
    req.on('error', () => done({ status: 0, hung: false, left: plan.clientLeaves }));
    req.end(JSON.stringify(stream.body));
  });
}

async function settle(): Promise<number> {
  for (let i = 0; i < 3; i++) {
    gc!();
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return process.memoryUsage().heapUsed;
}

function resources(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const name of process.getActiveResourcesInfo()) counts[name] = (counts[name] ?? 0) + 1;
  return counts;
}

async function countRecords(): Promise<number> {
  const runtime = getRuntime();
  let count = 0;
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await runtime.db.send(new ScanCommand({ TableName: runtime.config.storage.tables.interactions, Select: 'COUNT', ExclusiveStartKey: startKey }));
    count += page.Count ?? 0;
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return count;
}

const warnings: string[] = [];
process.on('warning', (warning) => warnings.push(`${warning.name}: ${warning.message}`));

const upstream = await new FaultyUpstream().start();
const gateway = await startGateway({
  SLUICE_OPENAI_BASE_URL: `${upstream.url('openai')}/v1`,
  SLUICE_ANTHROPIC_BASE_URL: upstream.url('anthropic'),
  SLUICE_BEDROCK_BASE_URL: upstream.url('bedrock'),
  SLUICE_BEDROCK_REGION: 'us-east-1',
  // Short, so that every fault ends within a round: a stall at the idle timeout, a body that
  // never ends at the total timeout.
  SLUICE_UPSTREAM_FIRST_BYTE_TIMEOUT_MS: '800',
  SLUICE_UPSTREAM_IDLE_TIMEOUT_MS: '400',
  SLUICE_UPSTREAM_TOTAL_TIMEOUT_MS: '1500',
});
const gatewayUrl = new URL(gateway.url);
const next = random(SEED);
const faultsInjected: Record<string, number> = {};
let requests = 0;
let hung = 0;
let clientsLeft = 0;
const statuses: Record<string, number> = {};

async function round(): Promise<void> {
  const calls = Array.from({ length: CONCURRENCY }, () => {
    const format = providers[Math.floor(next() * providers.length)]!;
    const plan = pick(next);
    const kind = plan.clientLeaves ? `client leaves (${plan.behaviour})` : plan.behaviour;
    if (kind !== 'ok') faultsInjected[kind] = (faultsInjected[kind] ?? 0) + 1;
    requests++;
    return request(gatewayUrl, format, plan);
  });
  for (const result of await Promise.all(calls)) {
    if (result.hung) hung++;
    if (result.left) clientsLeft++;
    statuses[result.status] = (statuses[result.status] ?? 0) + 1;
  }
  await gateway.server.idle();
}

const started = performance.now();
await round(); // warm-up: module caches, agent pools, JIT
const heapStart = await settle();
const resourcesStart = resources();
const listenersStart = process.listenerCount('warning') + process.listenerCount('exit') + process.listenerCount('uncaughtException');
const heapByRound: number[] = [];
for (let i = 0; i < ROUNDS; i++) {
  await round();
  heapByRound.push(await settle());
}
await gateway.server.idle();
const records = await countRecords();
const heapEnd = await settle();
const resourcesEnd = resources();
const listenersEnd = process.listenerCount('warning') + process.listenerCount('exit') + process.listenerCount('uncaughtException');
const sluiceSockets = getRuntime().upstream.sockets();
const upstreamOpen = upstream.openConnections;

console.log(
  JSON.stringify({
    rounds: ROUNDS + 1,
    concurrency: CONCURRENCY,
    seed: SEED,
    requests,
    records,
    hung,
    clientsLeft,
    faultsInjected,
    faultsTotal: Object.values(faultsInjected).reduce((a, b) => a + b, 0),
    statuses,
    heapStartBytes: heapStart,
    heapEndBytes: heapEnd,
    heapByRound,
    resourcesStart,
    resourcesEnd,
    listenersStart,
    listenersEnd,
    sluiceSockets,
    upstreamOpen,
    warnings,
    durationMs: Math.round(performance.now() - started),
  }),
);
await gateway.close();
await upstream.close();
