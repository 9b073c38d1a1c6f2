import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Anthropic, { InternalServerError } from '@anthropic-ai/sdk';
import { CohereClientV2, CohereError } from 'cohere-ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type TestGateway } from '../support/gateway.ts';

/** A loopback URL where nothing listens: a port that was free a moment ago. */
async function closedPortUrl(): Promise<string> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

let gateway: TestGateway;

beforeAll(async () => {
  gateway = await startGateway({
    SLUICE_ANTHROPIC_BASE_URL: await closedPortUrl(),
    SLUICE_COHERE_BASE_URL: await closedPortUrl(),
  });
});

afterAll(async () => {
  await gateway?.close();
});

describe('an unreachable upstream', () => {
  it('is an Anthropic api_error with status 502', async () => {
    const client = new Anthropic({ apiKey: 'sk-ant-api03-k', baseURL: `${gateway.url}/v1/anthropic`, maxRetries: 0 });
    const error = await client.messages
      .create({ model: 'claude', max_tokens: 5, messages: [{ role: 'user', content: 'x' }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InternalServerError);
    expect((error as InternalServerError).status).toBe(502);
    expect((error as InternalServerError).type).toBe('api_error');
    expect((error as InternalServerError).message).toContain('Could not reach the upstream (ECONNREFUSED)');
  });

  it('is a Cohere {"message"} with status 502, and both failures are recorded', async () => {
    const client = new CohereClientV2({ token: 'co-k', baseUrl: `${gateway.url}/v1/cohere`, maxRetries: 0 });
    const error = await client.chat({ model: 'command-a', messages: [{ role: 'user', content: 'x' }] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CohereError);
    expect((error as CohereError).statusCode).toBe(502);
    expect((error as CohereError).body).toEqual({ message: 'Could not reach the upstream (ECONNREFUSED).' });

    const records = await gateway.waitForRecords(2);
    expect(records.map((r) => [r.provider, r.status, r.outcome, r.error?.kind])).toEqual([
      ['anthropic', 502, 'error', 'upstream_error'],
      ['cohere', 502, 'error', 'upstream_error'],
    ]);
  });
});
