import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Interaction } from '../../lib/interactions/interaction.ts';
import { FAULT_CASE_HEADER, FAULT_HEADER, faults, FaultyUpstream, streamFormats, wholeAnswerFaults, type Fault, type FormatName } from '../fakes/faults.ts';
import { getRuntime } from '../../lib/runtime.ts';
import { startGateway, type TestGateway } from '../support/gateway.ts';
import { dialectErrorProblem } from './support/dialects.ts';
import { routes } from './support/fault-routes.ts';
import { streamEnd, type StreamEnd } from './support/stream-tail.ts';

/*
 * Every fault of an upstream, for every stream format Sluice reads: what the client receives,
 * what the interaction record says, and that Sluice lets go of the upstream connection. The
 * timeouts are short here so that each one fires: first byte, idle between chunks, and total
 * (the connect timeout needs an unreachable host: see unreachable.test.ts).
 */

const TIMEOUTS = {
  SLUICE_UPSTREAM_CONNECT_TIMEOUT_MS: '1000',
  SLUICE_UPSTREAM_FIRST_BYTE_TIMEOUT_MS: '1500',
  SLUICE_UPSTREAM_IDLE_TIMEOUT_MS: '800',
  SLUICE_UPSTREAM_TOTAL_TIMEOUT_MS: '4000',
};

interface Outcome {
  status: number;
  headers: Headers;
  body: Buffer;
  end: StreamEnd;
  record: Interaction | undefined;
  released: boolean;
}

let upstream: FaultyUpstream;
let gateway: TestGateway;
const outcomes = new Map<string, Outcome>();

async function run(format: FormatName, fault: Fault): Promise<Outcome> {
  const route = routes[format];
  const caseId = `${format}:${fault}`;
  const target = wholeAnswerFaults.includes(fault) ? route.whole : route.stream;
  const response = await fetch(`${gateway.url}${target.path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...route.headers, [FAULT_HEADER]: fault, [FAULT_CASE_HEADER]: caseId },
    body: JSON.stringify(target.body),
    // A bound, not a timing assertion: a request Sluice never finishes fails here instead of hanging the run.
    signal: AbortSignal.timeout(20_000),
  });
  const body = Buffer.from(await response.arrayBuffer());
  return {
    status: response.status,
    headers: response.headers,
    body,
    end: streamEnd(format, body),
    record: undefined,
    released: await upstream.released(caseId),
  };
}

beforeAll(async () => {
  upstream = await new FaultyUpstream().start();
  gateway = await startGateway({
    ...TIMEOUTS,
    SLUICE_OPENAI_BASE_URL: `${upstream.url('openai')}/v1`,
    SLUICE_ANTHROPIC_BASE_URL: upstream.url('anthropic'),
    SLUICE_GEMINI_BASE_URL: upstream.url('gemini'),
    SLUICE_BEDROCK_BASE_URL: upstream.url('bedrock'),
    SLUICE_BEDROCK_REGION: 'us-east-1',
    SLUICE_COHERE_BASE_URL: upstream.url('cohere'),
  });
  // Every case at once: each is told apart by its own header, its record by its interaction id.
  const cases = (Object.keys(routes) as FormatName[]).flatMap((format) => faults.map((fault) => [format, fault] as const));
  const results = await Promise.all(cases.map(([format, fault]) => run(format, fault)));
  const records = new Map((await gateway.records()).map((record) => [record.id, record]));
  cases.forEach(([format, fault], i) => {
    const outcome = results[i]!;
    outcome.record = records.get(outcome.headers.get('x-sluice-interaction-id') ?? '');
    outcomes.set(`${format}:${fault}`, outcome);
  });
  console.log(`faults: ${cases.length} faults injected (${faults.length} kinds × ${Object.keys(routes).length} stream formats)`);
  console.table(
    cases.map(([format, fault]) => {
      const { status, record } = outcomes.get(`${format}:${fault}`)!;
      return { format, fault, status, outcome: record?.outcome, error: record?.error?.kind, in: record?.inputTokens, out: record?.outputTokens, estimated: record?.tokensEstimated ?? false };
    }),
  );
}, 60_000);

afterAll(async () => {
  await gateway?.close();
  await upstream?.close();
});

const head = (format: FormatName) => Buffer.concat(streamFormats[format].events.slice(0, streamFormats[format].head));

describe.each(Object.keys(routes) as FormatName[])('%s', (format) => {
  const route = routes[format];
  const outcome = (fault: Fault) => outcomes.get(`${format}:${fault}`)!;

  it('reset before headers: a 502 in the dialect, recorded as an upstream error', () => {
    const { status, headers, body, record, released } = outcome('reset-before-headers');
    expect(dialectErrorProblem(route.dialect, { status, headers: Object.fromEntries(headers), body })).toBeUndefined();
    expect(status).toBe(502);
    expect(body.toString()).toContain('Could not reach the upstream (ECONNRESET)');
    expect(record).toMatchObject({ status: 502, outcome: 'error', error: { kind: 'upstream_error' } });
    expect(released).toBe(true);
  });

  it('no answer: a 504 in the dialect after the first-byte timeout, recorded as a timeout', () => {
    const { status, headers, body, record, released } = outcome('no-headers');
    expect(dialectErrorProblem(route.dialect, { status, headers: Object.fromEntries(headers), body })).toBeUndefined();
    expect(status).toBe(504);
    expect(body.toString()).toContain(`did not answer within ${TIMEOUTS.SLUICE_UPSTREAM_FIRST_BYTE_TIMEOUT_MS} ms`);
    expect(record).toMatchObject({ status: 504, outcome: 'error', error: { kind: 'timeout' } });
    expect(released).toBe(true);
  });

  it('reset mid-stream: what came, then the dialect error event; recorded with the tokens seen so far', () => {
    const { status, body, end, record, released } = outcome('reset-mid-stream');
    expect(status).toBe(200);
    expect(body.subarray(0, head(format).length).equals(head(format))).toBe(true);
    expect(end).toEqual({ kind: 'error', message: expect.stringContaining('upstream connection broke') });
    expect(record).toMatchObject({ status: 200, stream: true, outcome: 'error', error: { kind: 'upstream_error' } });
    expect(record?.inputTokens).toBeGreaterThan(0);
    expect(released).toBe(true);
  });

  it('stall: what came, then a timeout error event after the idle timeout', () => {
    const { status, body, end, record, released } = outcome('stall');
    expect(status).toBe(200);
    expect(body.subarray(0, head(format).length).equals(head(format))).toBe(true);
    expect(end).toEqual({ kind: 'error', message: expect.stringContaining(`sent nothing for ${TIMEOUTS.SLUICE_UPSTREAM_IDLE_TIMEOUT_MS} ms`) });
    expect(record).toMatchObject({ status: 200, outcome: 'error', error: { kind: 'timeout' } });
    expect(record?.inputTokens).toBeGreaterThan(0);
    expect(released).toBe(true);
  });

  it('malformed bytes: relayed up to where the format breaks, then an error, recorded as an upstream error', () => {
    const { status, body, end, record, released } = outcome('malformed');
    const { junk } = streamFormats[format];
    expect(status).toBe(200);
    expect(body.subarray(0, head(format).length).equals(head(format))).toBe(true);
    if (format === 'bedrock') {
      // Frames pass whole: the corrupt one is not forwarded, an exception frame takes its place.
      expect(body.includes(junk)).toBe(false);
      expect(end).toEqual({ kind: 'error', message: expect.stringContaining('malformed event stream frame') });
    } else if (format === 'geminiArray') {
      // Inside a broken array element no bytes can make the JSON whole again: nothing is added.
      expect(body.equals(Buffer.concat([head(format), junk]))).toBe(true);
    } else {
      expect(body.includes(junk)).toBe(true);
      expect(end).toEqual({ kind: 'error', message: expect.stringContaining('ended before its end marker') });
    }
    expect(record).toMatchObject({ status: 200, outcome: 'error', error: { kind: 'upstream_error' } });
    expect(released).toBe(true);
  });

  it('a body that never ends: relayed until the total timeout, then a timeout error event', () => {
    const { status, body, end, record, released } = outcome('never-ends');
    expect(status).toBe(200);
    expect(body.subarray(0, head(format).length).equals(head(format))).toBe(true);
    expect(body.includes(streamFormats[format].more)).toBe(true);
    expect(end).toEqual({ kind: 'error', message: expect.stringContaining(`did not finish within ${TIMEOUTS.SLUICE_UPSTREAM_TOTAL_TIMEOUT_MS} ms`) });
    expect(record).toMatchObject({ status: 200, outcome: 'error', error: { kind: 'timeout' } });
    expect(released).toBe(true);
  });

  it('a slow trickle: relayed byte for byte, a clean success with the usage the upstream reported', () => {
    const { status, body, end, record, released } = outcome('trickle');
    expect(status).toBe(200);
    expect(body.equals(Buffer.concat(streamFormats[format].events))).toBe(true);
    expect(end).toEqual({ kind: 'complete' });
    expect(record).toMatchObject({ status: 200, outcome: 'success' });
    expect(record?.error).toBeUndefined();
    expect(record?.tokensEstimated).toBeUndefined();
    expect(record?.inputTokens).toBeGreaterThan(0);
    expect(record?.outputTokens).toBeGreaterThan(0);
    expect(released).toBe(true);
  });

  it('reset in the middle of a whole answer: a 502 in the dialect, recorded as an upstream error', () => {
    const { status, headers, body, record, released } = outcome('reset-mid-answer');
    expect(dialectErrorProblem(route.dialect, { status, headers: Object.fromEntries(headers), body })).toBeUndefined();
    expect(status).toBe(502);
    expect(body.toString()).toContain('The upstream connection broke before its answer was complete.');
    expect(record).toMatchObject({ status: 502, stream: false, outcome: 'error', error: { kind: 'upstream_error' } });
    expect(released).toBe(true);
  });

  it('a 200 whose JSON is broken: relayed as it came, recorded as an upstream error, not a success', () => {
    const { status, body, record, released } = outcome('invalid-json');
    expect(status).toBe(200);
    expect(body.toString()).toBe('{"id":"x","choices":[{"message":{"content":"Hello');
    expect(record).toMatchObject({ status: 200, stream: false, outcome: 'upstream_error', error: { kind: 'upstream', message: expect.stringContaining('not valid JSON') } });
    expect(released).toBe(true);
  });
});

describe('after every fault', () => {
  it('the fake upstream has no connection left open, and Sluice no socket in use', async () => {
    for (let i = 0; i < 500 && upstream.openConnections > 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(upstream.openConnections).toBe(0);
    expect(getRuntime().upstream.sockets().active).toBe(0);
  });
});
