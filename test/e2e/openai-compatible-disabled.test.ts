import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeServer } from '../fakes/fake-server.ts';
import { startFakeOpenAiApi } from '../fakes/openai-api.ts';
import { startGateway, type TestGateway } from '../support/gateway.ts';

let fake: FakeServer;
let gateway: TestGateway;

beforeAll(async () => {
  fake = await startFakeOpenAiApi();
  gateway = await startGateway({ SLUICE_VLLM_BASE_URL: undefined, SLUICE_AZURE_OPENAI_BASE_URL: undefined, SLUICE_AZURE_BASE_URL: undefined });
});

afterAll(async () => {
  await gateway?.close();
  await fake?.close();
});

describe('a provider that is not enabled', () => {
  it('answers vLLM without SLUICE_VLLM_BASE_URL with a 404 that says how to enable it, and records it', async () => {
    const before = (await gateway.records()).length;
    const client = new OpenAI({ apiKey: 'none', baseURL: `${gateway.url}/v1/vllm`, maxRetries: 0 });
    const error = await client.chat.completions
      .create({ model: 'meta-llama/Llama-3.1-8B-Instruct', messages: [{ role: 'user', content: 'Hi' }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
    const notFound = error as InstanceType<typeof OpenAI.NotFoundError>;
    expect(notFound.message).toContain('vLLM is not enabled');
    expect(notFound.message).toContain('SLUICE_VLLM_BASE_URL');
    expect(notFound.code).toBe('provider_not_enabled');
    expect(fake.received).toHaveLength(0);

    const [record] = (await gateway.waitForRecords(before + 1)).slice(before);
    expect(record).toMatchObject({ provider: 'vllm', status: 404, outcome: 'error', error: { kind: 'not_found' } });
  });

  it('answers Azure without a base URL with a 404 naming SLUICE_AZURE_OPENAI_BASE_URL', async () => {
    const response = await fetch(`${gateway.url}/v1/azure/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'api-key': 'k' },
      body: JSON.stringify({ model: 'gpt-4o', messages: [] }),
    });
    expect(response.status).toBe(404);
    const body = (await response.json()) as { error: { message: string; type: string } };
    expect(body.error.type).toBe('invalid_request_error');
    expect(body.error.message).toContain('SLUICE_AZURE_OPENAI_BASE_URL');
  });
});
