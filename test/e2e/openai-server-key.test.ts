import { afterAll, beforeAll, expect, it } from 'vitest';
import { startFakeOpenAi } from '../fakes/openai-upstream.ts';
import type { FakeServer } from '../fakes/fake-server.ts';
import { startGateway, type TestGateway } from '../support/gateway.ts';

let fake: FakeServer;
let gateway: TestGateway;

beforeAll(async () => {
  fake = await startFakeOpenAi();
  gateway = await startGateway({ SLUICE_OPENAI_BASE_URL: `${fake.url}/v1`, SLUICE_OPENAI_API_KEY: 'sk-server-default' });
});

afterAll(async () => {
  await gateway?.close();
  await fake?.close();
});

const body = JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] });

it('uses SLUICE_OPENAI_API_KEY when the client sends no key', async () => {
  const response = await fetch(`${gateway.url}/v1/openai/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  });
  expect(response.status).toBe(200);
  expect(fake.last!.headers.authorization).toBe('Bearer sk-server-default');
});

it('lets a key sent by the client win over the server default', async () => {
  await fetch(`${gateway.url}/v1/openai/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer sk-from-client' },
    body,
  });
  expect(fake.last!.headers.authorization).toBe('Bearer sk-from-client');
});

it('never puts the key in the interaction record', async () => {
  const records = await gateway.waitForRecords(2);
  const text = JSON.stringify(records);
  expect(text).not.toContain('sk-server-default');
  expect(text).not.toContain('sk-from-client');
});
