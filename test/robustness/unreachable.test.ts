import { afterAll, describe, expect, it } from 'vitest';
import type { FormatName } from '../fakes/faults.ts';
import { refusingUrl, startBlackhole, type Blackhole } from '../fakes/unreachable.ts';
import { startGateway, type TestGateway } from '../support/gateway.ts';
import { getRuntime } from '../../lib/runtime.ts';
import { dialectErrorProblem } from './support/dialects.ts';
import { routes } from './support/fault-routes.ts';

/*
 * Upstreams Sluice cannot reach: a refused connection, and one that is never established (the
 * connect timeout, SLUICE_UPSTREAM_CONNECT_TIMEOUT_MS). For each stream format's route: a 502 or
 * 504 in the dialect, a record, and no socket left behind.
 */

const CONNECT_TIMEOUT_MS = 500;
const formats = Object.keys(routes) as FormatName[];

function baseUrls(url: string): Record<string, string> {
  return {
    SLUICE_OPENAI_BASE_URL: `${url}/v1`,
    SLUICE_ANTHROPIC_BASE_URL: url,
    SLUICE_GEMINI_BASE_URL: url,
    SLUICE_BEDROCK_BASE_URL: url,
    SLUICE_BEDROCK_REGION: 'us-east-1',
    SLUICE_COHERE_BASE_URL: url,
  };
}

let gateway: TestGateway | undefined;
let blackhole: Blackhole | undefined;

afterAll(async () => {
  await gateway?.close();
  blackhole?.close();
});

async function callEach(): Promise<Map<FormatName, { status: number; headers: Record<string, string>; body: Buffer }>> {
  const answers = await Promise.all(
    formats.map(async (format) => {
      const { headers, stream } = routes[format];
      const response = await fetch(`${gateway!.url}${stream.path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(stream.body),
        signal: AbortSignal.timeout(20_000),
      });
      return [format, { status: response.status, headers: Object.fromEntries(response.headers), body: Buffer.from(await response.arrayBuffer()) }] as const;
    }),
  );
  return new Map(answers);
}

describe('a refused connection', () => {
  it('is a 502 in each dialect, recorded as an upstream error', async () => {
    gateway = await startGateway({ ...baseUrls(await refusingUrl()), SLUICE_DYNAMODB_ENDPOINT: undefined });
    const answers = await callEach();
    const records = await gateway.records();
    for (const format of formats) {
      const answer = answers.get(format)!;
      expect(dialectErrorProblem(routes[format].dialect, answer), format).toBeUndefined();
      expect(answer.status, format).toBe(502);
      expect(answer.body.toString(), format).toContain('Could not reach the upstream (ECONNREFUSED)');
      expect(records.find((r) => r.id === answer.headers['x-sluice-interaction-id']), format).toMatchObject({ status: 502, outcome: 'error', error: { kind: 'upstream_error' } });
    }
    expect(getRuntime().upstream.sockets()).toEqual({ active: 0, idle: 0 });
    await gateway.close();
    gateway = undefined;
  });
});

describe('a connection never established', () => {
  it('is a 504 in each dialect after the connect timeout, recorded as a timeout, its socket let go', async () => {
    blackhole = await startBlackhole();
    gateway = await startGateway({
      ...baseUrls(blackhole.url),
      SLUICE_DYNAMODB_ENDPOINT: undefined,
      SLUICE_UPSTREAM_CONNECT_TIMEOUT_MS: String(CONNECT_TIMEOUT_MS),
    });
    const answers = await callEach();
    const records = await gateway.records();
    for (const format of formats) {
      const answer = answers.get(format)!;
      expect(dialectErrorProblem(routes[format].dialect, answer), format).toBeUndefined();
      expect(answer.status, format).toBe(504);
      expect(answer.body.toString(), format).toContain(`Could not connect to the upstream within ${CONNECT_TIMEOUT_MS} ms`);
      expect(records.find((r) => r.id === answer.headers['x-sluice-interaction-id']), format).toMatchObject({ status: 504, outcome: 'error', error: { kind: 'timeout' } });
    }
    expect(getRuntime().upstream.sockets()).toEqual({ active: 0, idle: 0 });
  });
});
