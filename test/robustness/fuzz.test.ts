import http from 'node:http';
import fc from 'fast-check';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { proxyFunctions } from '../../lib/function-catalog.ts';
import { openAiCompatibleTable } from '../../lib/providers/openai-compatible/table.ts';
import { providerSegment } from '../../lib/proxy/route.ts';
import { getRuntime } from '../../lib/runtime.ts';
import { startGateway, type TestGateway } from '../support/gateway.ts';
import { dialectErrorProblem, dialectOfProvider } from './support/dialects.ts';
import type { FuzzCase } from './support/fuzz-arbitraries.ts';
import { fuzzCase } from './support/fuzz-arbitraries.ts';
import { functionUrlEvent, invoke, type CapturedResponse, type StreamingHandler } from './support/lambda-invoke.ts';
import { forwardedAsSent, relayProblem } from './support/relay-check.ts';
import { OutputWatch, secretsIn, serverKeyEnv } from './support/secrets.ts';
import { CASE_HEADER, UpstreamHub } from './support/upstream-hub.ts';

/*
 * Property-based fuzzing of every route through the production handlers: random and mutated
 * requests go to the exported Lambda handlers (a Function URL event in, a captured response
 * stream out) and, for a smaller share, to the local server over HTTP. Every answer must be a
 * well-formed error in the route's dialect or the fake upstream's own answer relayed unchanged;
 * never a 500, a throw, a hang, a secret, or a polluted prototype. Seeded: FUZZ_SEED=<n> replays a
 * run (FUZZ_SEED=random draws one); FUZZ_RUNS and FUZZ_HTTP_RUNS scale it.
 */

const SEED = process.env.FUZZ_SEED === 'random' ? Date.now() % 2 ** 31 : Number(process.env.FUZZ_SEED ?? 1_107_2025);
const RUNS = Number(process.env.FUZZ_RUNS ?? 10_000);
const HTTP_RUNS = Number(process.env.FUZZ_HTTP_RUNS ?? 500);
/** A bound on one case, so that a hang fails the case instead of the whole run. */
const CASE_BOUND_MS = 15_000;
/** Cases per fast-check run, sent at once. */
const BATCH = 8;
/** The content types a Function URL (and the local server) delivers as text rather than base64. */
const TEXT_TYPES = /^(text\/|application\/(json|.*\+json|xml|.*\+xml|javascript|x-www-form-urlencoded)\b)/i;

let hub: UpstreamHub;
let gateway: TestGateway;
const watch = new OutputWatch();
const handlers = new Map<string, { routes: readonly string[]; handler: StreamingHandler }>();
let caseCounter = 0;
let recordsExpected = 0;
const prototypeKeys = () => [Object.getOwnPropertyNames(Object.prototype).length, Object.getOwnPropertyNames(Array.prototype).length];
let pristine: number[];

beforeAll(async () => {
  hub = await new UpstreamHub().start();
  const env: Record<string, string> = {
    ...serverKeyEnv(),
    SLUICE_LOG_LEVEL: 'INFO',
    SLUICE_METRICS_ENABLED: 'true',
    SLUICE_OPENAI_BASE_URL: `${hub.url('openai')}/v1`,
    SLUICE_AZURE_OPENAI_BASE_URL: `${hub.url('openai')}/azure/openai`,
    SLUICE_ANTHROPIC_BASE_URL: hub.url('anthropic'),
    SLUICE_GEMINI_BASE_URL: hub.url('gemini'),
    SLUICE_BEDROCK_BASE_URL: hub.url('bedrock'),
    SLUICE_BEDROCK_REGION: 'us-east-1',
    SLUICE_COHERE_BASE_URL: hub.url('cohere'),
  };
  for (const entry of openAiCompatibleTable) env[`SLUICE_${entry.id.toUpperCase()}_BASE_URL`] = `${hub.url('openai')}/${entry.id}/v1`;
  watch.start({ quiet: true });
  gateway = await startGateway(env);
  for (const spec of proxyFunctions) {
    const module = (await import(`../../${spec.entry}`)) as { handler: StreamingHandler };
    handlers.set(spec.name, { routes: spec.routes, handler: module.handler });
  }
  pristine = prototypeKeys();
});

afterAll(async () => {
  watch.stop();
  await gateway?.close();
  await hub?.close();
});

function handlerFor(path: string, fallback: string): { routes: readonly string[]; handler: StreamingHandler } {
  const segment = providerSegment(path);
  for (const entry of handlers.values()) if (segment && entry.routes.includes(segment)) return entry;
  return [...handlers.values()].find((entry) => entry.routes.includes(fallback))!;
}

function bounded<T>(work: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  const bound = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${CASE_BOUND_MS} ms: ${what}`)), CASE_BOUND_MS);
  });
  return Promise.race([work, bound]).finally(() => clearTimeout(timer));
}

function describeCase(c: FuzzCase): string {
  const body = c.body ? `${c.body.byteLength} bytes: ${c.body.toString('utf8', 0, 160)}` : 'no body';
  return `${c.method} ${c.path.slice(0, 200)}?${c.query.slice(0, 80)} (${c.route.name}) headers ${JSON.stringify(c.headers).slice(0, 300)} ${body}`;
}

/** The checks every answer must pass; throws with the reason otherwise. */
function check(c: FuzzCase, caseId: string, response: CapturedResponse, options: { viaLocalServer: boolean; dialectRoutes: readonly string[] }): void {
  const problems: string[] = [];
  const leaked = secretsIn(`${response.body.toString('utf8')} ${JSON.stringify(response.headers)}`);
  if (leaked.length > 0) problems.push(`a secret in the answer: ${leaked.join(', ')}`);
  if (prototypeKeys().join() !== pristine.join() || ({} as Record<string, unknown>).polluted !== undefined) problems.push('a prototype was polluted');
  if (options.viaLocalServer && c.path === '/health' && c.method === 'GET') {
    if (response.status !== 200) problems.push(`health answered ${response.status}`);
    return;
  }
  const exchange = hub.exchanges.get(caseId);
  hub.exchanges.delete(caseId);
  if (exchange) {
    const relay = relayProblem(exchange, response);
    if (relay) problems.push(relay);
    const provider = providerSegment(c.path) ?? '';
    // Over HTTP, a text content type reaches the handler as a string (Function URL payload 2.0): as UTF-8.
    const delivered = c.body && options.viaLocalServer && TEXT_TYPES.test(c.headers['content-type'] ?? '') ? Buffer.from(c.body.toString('utf8')) : c.body;
    if (delivered && exchange.received.method === 'POST' && forwardedAsSent(c.path, exchange.received.path, provider, delivered) && !exchange.received.body.equals(delivered)) {
      problems.push(`the upstream got other bytes than the client sent: ${exchange.received.body.toString('utf8', 0, 200)}`);
    }
  } else {
    const segment = providerSegment(c.path);
    const served = segment !== undefined && options.dialectRoutes.includes(segment);
    const dialect = served ? dialectOfProvider(segment) : 'openai';
    // The local server answers two things itself, as a Function URL would: an unknown route
    // (404, OpenAI's shape) and a payload over Lambda's 6 MB (413, Lambda's `{"message"}`).
    const lambdaLimit = options.viaLocalServer && response.status === 413 && response.headers['x-sluice-interaction-id'] === undefined;
    const problem = lambdaLimit ? dialectErrorProblem('aws', { ...response, headers: { ...response.headers, 'x-amzn-errortype': 'RequestTooLargeException' } }) : dialectErrorProblem(dialect, response);
    if (problem) problems.push(`not a ${dialect} error: ${problem}`);
    if (response.headers['x-sluice-interaction-id'] === undefined && !(options.viaLocalServer && localServerOwnAnswer(response))) {
      problems.push('no interaction id');
    }
  }
  if (problems.length > 0) throw new Error(`PROBLEM ${problems.join('; ')}\n  case: ${describeCase(c)}\n  answer: ${response.status} ${response.body.toString('utf8', 0, 400)}`);
}

function localServerOwnAnswer(response: CapturedResponse): boolean {
  return response.status === 404 || response.status === 413;
}

async function runDirect(c: FuzzCase): Promise<void> {
  const caseId = `d${++caseCounter}`;
  const { routes, handler } = handlerFor(c.path, c.route.providers[0]!);
  const event = functionUrlEvent({
    method: c.method,
    path: c.path,
    rawQueryString: c.query,
    headers: { ...c.headers, [CASE_HEADER]: caseId },
    body: c.body,
    base64: c.base64,
  });
  recordsExpected++;
  const response = await bounded(invoke(handler, event), describeCase(c));
  check(c, caseId, response, { viaLocalServer: false, dialectRoutes: routes });
}

/** The same case over HTTP, through the local server. */
async function runHttp(c: FuzzCase): Promise<void> {
  const caseId = `h${++caseCounter}`;
  const url = new URL(gateway.url);
  const response = await bounded(
    new Promise<CapturedResponse>((resolve, reject) => {
      const req = http.request(
        { host: url.hostname, port: url.port, method: c.method, path: `${c.path}${c.query ? `?${c.query}` : ''}`, headers: { ...c.headers, [CASE_HEADER]: caseId }, agent: false },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            const headers: Record<string, string> = {};
            for (const [name, value] of Object.entries(res.headers)) if (typeof value === 'string') headers[name] = value;
            resolve({ status: res.statusCode ?? 0, headers, body: Buffer.concat(chunks) });
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      if (c.body) req.setHeader('content-length', c.body.byteLength);
      req.end(c.body);
    }),
    describeCase(c),
  );
  if (response.headers['x-sluice-interaction-id'] !== undefined) recordsExpected++;
  const segment = providerSegment(c.path) ?? '';
  check(c, caseId, response, { viaLocalServer: true, dialectRoutes: handlerFor(c.path, c.route.providers[0]!).routes.includes(segment) ? [segment] : [] });
}

/** Node's HTTP client refuses what no HTTP request can carry; such cases belong to the direct share. */
function sendableOverHttp(c: FuzzCase): boolean {
  try {
    for (const [name, value] of Object.entries(c.headers)) {
      http.validateHeaderName(name);
      http.validateHeaderValue(name, value);
    }
  } catch {
    return false;
  }
  // A HEAD answer has no body to check.
  return c.method !== 'HEAD' && c.path.startsWith('/') && /^[\x21-\x7e]*$/.test(c.path + c.query) && !['content-length', 'transfer-encoding', 'host', 'expect', 'connection'].some((h) => h in c.headers);
}

/** Reports a failure by its seed, replay path and our own description of the case (not fast-check's dump). */
function reporter(details: fc.RunDetails<[FuzzCase[]]>): void {
  if (!details.failed) return;
  const error = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance);
  throw new Error(`fuzz failed after ${details.numRuns} batches of ${BATCH} (seed ${details.seed}, path "${details.counterexamplePath}", ${details.numShrinks} shrinks):\n${error}`);
}

describe('fuzzing every route', () => {
  it(`answers ${RUNS} random requests through the Lambda handlers in dialect or as the upstream did`, async () => {
    const started = performance.now();
    // Cases run in batches, concurrently: the record writes (in the embedded DynamoDB's thread)
    // overlap the next cases' work. Each case is checked on its own.
    const batch = fc.array(fuzzCase(false), { minLength: BATCH, maxLength: BATCH });
    await fc.assert(
      fc.asyncProperty(batch, async (cases) => {
        await Promise.all(cases.map(runDirect));
      }),
      { seed: SEED, numRuns: Math.ceil(RUNS / BATCH), endOnFailure: true, reporter },
    );
    console.log(`fuzz (handlers): seed=${SEED} cases=${caseCounter} in ${Math.round(performance.now() - started)} ms (FUZZ_SEED=${SEED} replays)`);
  }, 240_000);

  it(`answers ${HTTP_RUNS} random requests over HTTP through the local server`, async () => {
    const before = caseCounter;
    const started = performance.now();
    const batch = fc.array(fuzzCase(true).filter(sendableOverHttp), { minLength: BATCH, maxLength: BATCH });
    await fc.assert(
      fc.asyncProperty(batch, async (cases) => {
        await Promise.all(cases.map(runHttp));
      }),
      { seed: SEED + 1, numRuns: Math.ceil(HTTP_RUNS / BATCH), endOnFailure: true, reporter },
    );
    console.log(`fuzz (HTTP): seed=${SEED + 1} cases=${caseCounter - before} in ${Math.round(performance.now() - started)} ms`);
  }, 120_000);

  it('left one record per handled request, no secret in any record or log line', async () => {
    await gateway.server.idle();
    const runtime = getRuntime();
    let count = 0;
    const leaks: string[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await runtime.db.send(new ScanCommand({ TableName: runtime.config.storage.tables.interactions, ExclusiveStartKey: startKey }));
      for (const item of page.Items ?? []) {
        count++;
        const found = secretsIn(JSON.stringify(item));
        if (found.length > 0) leaks.push(`record ${String(item.id)}: ${found.join(', ')}`);
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    console.log(`fuzz: ${recordsExpected} handled requests, ${count} records, ${watch.lines} log lines watched`);
    expect(leaks).toEqual([]);
    expect(watch.leaks).toEqual([]);
    expect(count).toBe(recordsExpected);
  }, 60_000);
});
