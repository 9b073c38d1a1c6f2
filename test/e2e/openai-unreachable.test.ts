import OpenAI from 'openai';
import { createServer } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startGateway, type TestGateway } from '../support/gateway.ts';

let gateway: TestGateway;

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

beforeAll(async () => {
  gateway = await startGateway({
    SLUICE_OPENAI_BASE_URL: `http://127.0.0.1:${await closedPort()}/v1`,
    SLUICE_OPENAI_API_KEY: 'sk-server-default',
  });
});

afterAll(() => gateway?.close());

it('answers 502 when the upstream cannot be reached, in the OpenAI dialect', async () => {
  const client = new OpenAI({ apiKey: 'sk-client', baseURL: `${gateway.url}/v1/openai`, maxRetries: 0 });
  const error = await client.chat.completions
    .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] })
    .catch((e: unknown) => e);
  expect(error).toBeInstanceOf(OpenAI.InternalServerError);
  expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(502);
  expect((error as Error).message).toMatch(/Could not reach the upstream \(ECONNREFUSED\)/);
  const [record] = await gateway.waitForRecords(1);
  expect(record).toMatchObject({ status: 502, outcome: 'error', error: { kind: 'upstream_error' } });
});
