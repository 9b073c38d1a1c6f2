import { createOpenAI } from '@ai-sdk/openai';
import { generateText } from 'ai';
import type OpenAI from 'openai';
import { AuthenticationError, BadRequestError } from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { FakeServer } from '../fakes/fake-server.ts';
import { openAiApi, startFakeOpenAiApi } from '../fakes/openai-api.ts';
import { startGateway, type TestGateway } from '../support/gateway.ts';
import { postRaw, recordsAfter, routerClient, sseData, sseEventNames } from '../support/router.ts';

let openai: FakeServer;
let groq: FakeServer;
let azure: FakeServer;
let gateway: TestGateway;
let client: OpenAI;

beforeAll(async () => {
  openai = await startFakeOpenAiApi();
  groq = await startFakeOpenAiApi();
  azure = await startFakeOpenAiApi();
  gateway = await startGateway({
    SLUICE_AZURE_OPENAI_BASE_URL: `${azure.url}/openai`,
    SLUICE_AZURE_OPENAI_API_KEY: 'azure-server-key',
    SLUICE_OPENAI_BASE_URL: `${openai.url}/v1`,
    SLUICE_OPENAI_API_KEY: 'sk-openai-server-key',
    SLUICE_GROQ_BASE_URL: `${groq.url}/openai/v1`,
    SLUICE_GROQ_API_KEY: undefined,
  });
  client = routerClient(gateway);
});

afterAll(async () => {
  await gateway?.close();
  await openai?.close();
  await groq?.close();
  await azure?.close();
});

beforeEach(() => {
  openai.use(openAiApi());
  groq.use(openAiApi());
});

describe('the model router to OpenAI-style providers', () => {
  it('forwards a chat as it is, with only the model name rewritten and the server key', async () => {
    const before = (await gateway.records()).length;
    const body = {
      model: 'openai:gpt-4o-mini',
      messages: [{ role: 'user', content: 'Hi' }],
      logprobs: true,
      top_logprobs: 2,
      n: 1,
      x_vendor_field: { kept: true },
    };
    const response = await postRaw(gateway, '/chat/completions', body);
    expect(response.status).toBe(200);
    expect(response.headers.get('x-sluice-model')).toBe('openai:gpt-4o-mini');
    expect(((await response.json()) as { choices: Array<{ message: { content: string } }> }).choices[0]!.message.content).toBe('Hello from the fake upstream.');
    expect(openai.last!.path).toBe('/v1/chat/completions');
    expect(openai.last!.headers.authorization).toBe('Bearer sk-openai-server-key');
    expect(openai.last!.json).toEqual({ ...body, model: 'gpt-4o-mini' });
    const [record] = await recordsAfter(gateway, before);
    expect(record).toMatchObject({ provider: 'openai', model: 'gpt-4o-mini', operation: 'chat', inputTokens: 12, outputTokens: 7, attempts: [{ provider: 'openai', status: 200 }] });
  });

  it('streams as it is, with usage asked for upstream and hidden from a client that did not ask', async () => {
    openai.use(openAiApi({ chat: { content: 'passed through', chunks: 3 } }));
    const before = (await gateway.records()).length;
    const raw = await postRaw(gateway, '/chat/completions', { model: 'openai:gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }], stream: true });
    const events = sseData(await raw.text());
    expect(events.at(-1)).toBe('[DONE]');
    expect(events.some((data) => data.includes('"usage"'))).toBe(false);
    expect((openai.last!.json as { stream_options?: unknown }).stream_options).toEqual({ include_usage: true });
    const [record] = await recordsAfter(gateway, before);
    expect(record).toMatchObject({ stream: true, inputTokens: 12, outputTokens: 7 });
  });

  it("passes the client's key to an OpenAI-style provider only when every model is on it", async () => {
    await client.chat.completions.create({ model: 'groq:llama-3.1-8b-instant', messages: [{ role: 'user', content: 'Hi' }] });
    expect(groq.last!.path).toBe('/openai/v1/chat/completions');
    expect(groq.last!.headers.authorization).toBe('Bearer sluice-router-client');
    expect(groq.last!.json).toMatchObject({ model: 'llama-3.1-8b-instant' });

    const received = groq.received.length;
    const error = await client.chat.completions
      .create({ model: 'openai:gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }], models: ['groq:llama-3.1-8b-instant'] } as never)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect((error as AuthenticationError).message).toContain('SLUICE_GROQ_API_KEY');
    expect(groq.received.length).toBe(received);
  });

  it('sends Responses natively to OpenAI', async () => {
    const response = await client.responses.create({ model: 'openai:gpt-4o-mini', input: 'Hi', instructions: 'Be brief.' });
    expect(response.output_text).toBe('Hello from the fake Responses API.');
    expect(openai.last!.path).toBe('/v1/responses');
    expect(openai.last!.json).toEqual({ model: 'gpt-4o-mini', input: 'Hi', instructions: 'Be brief.' });
  });

  it('translates Responses into Chat Completions for a provider without the Responses API', async () => {
    groq.use(openAiApi({ chat: { content: 'groq answer', chunks: 2 } }));
    const response = await client.responses.create({ model: 'groq:llama-3.1-8b-instant', input: 'Hi', instructions: 'Be brief.', max_output_tokens: 30 });
    expect(response.output_text).toBe('groq answer');
    expect(response.usage).toMatchObject({ input_tokens: 12, output_tokens: 7 });
    expect(groq.last!.path).toBe('/openai/v1/chat/completions');
    expect(groq.last!.json).toEqual({
      model: 'llama-3.1-8b-instant',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hi' },
      ],
      max_tokens: 30,
    });

    const names = sseEventNames(await (await postRaw(gateway, '/responses', { model: 'groq:llama-3.1-8b-instant', input: 'Hi', stream: true })).text());
    expect(names[0]).toBe('response.created');
    expect(names.at(-1)).toBe('response.completed');
    expect((groq.last!.json as { stream_options?: unknown }).stream_options).toEqual({ include_usage: true });

    groq.use(openAiApi({ chat: { toolCalls: [{ id: 'call_1', name: 'lookup', arguments: '{"q":"x"}' }] } }));
    const final = await client.responses
      .stream({ model: 'groq:llama-3.1-8b-instant', input: 'Look it up', tools: [{ type: 'function', name: 'lookup', parameters: { type: 'object', properties: { q: { type: 'string' } } }, strict: false }] })
      .finalResponse();
    expect(final.output.find((item) => item.type === 'function_call')).toMatchObject({ call_id: 'call_1', name: 'lookup', arguments: '{"q":"x"}' });
  });

  it('reaches an Azure deployment by name, with its api-key, for chat and for Responses', async () => {
    azure.use(openAiApi());
    await client.chat.completions.create({ model: 'azure:my-gpt-4o', messages: [{ role: 'user', content: 'Hi' }] });
    expect(azure.last!.path).toBe('/openai/deployments/my-gpt-4o/chat/completions');
    expect(azure.last!.query.get('api-version')).toBeTruthy();
    expect(azure.last!.headers['api-key']).toBe('azure-server-key');
    expect(azure.last!.headers.authorization).toBeUndefined();
    await client.responses.create({ model: 'azure:my-gpt-4o', input: 'Hi' });
    expect(azure.last!.path).toBe('/openai/responses');
    expect(azure.last!.json).toEqual({ model: 'my-gpt-4o', input: 'Hi' });
  });

  it('relays an OpenAI-style error unchanged', async () => {
    openai.use(openAiApi({ chat: { failWith: { status: 400, message: 'Bad things', code: 'bad_thing' } } }));
    const error = await client.chat.completions.create({ model: 'openai:gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BadRequestError);
    expect((error as BadRequestError).message).toContain('Bad things');
    expect((error as BadRequestError).code).toBe('bad_thing');
  });

  it("never hands the client the server's key, even when the provider's error echoes it", async () => {
    openai.use(openAiApi({ chat: { failWith: { status: 401, message: 'Incorrect API key provided: sk-openai-server-key.', code: 'invalid_api_key' } } }));
    const before = (await gateway.records()).length;
    const error = await client.chat.completions.create({ model: 'openai:gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect((error as AuthenticationError).message).toContain('Incorrect API key provided: [redacted]');
    const [record] = await recordsAfter(gateway, before);
    expect(JSON.stringify(record)).not.toContain('sk-openai-server-key');
  });

  it('serves the ai SDK over both APIs', async () => {
    const ai = createOpenAI({ apiKey: 'sluice-router-client', baseURL: `${gateway.url}/v1/model-router` });
    expect((await generateText({ model: ai.chat('openai:gpt-4o-mini'), prompt: 'Hi' })).text).toBe('Hello from the fake upstream.');
    expect((await generateText({ model: ai.responses('openai:gpt-4o-mini'), prompt: 'Hi' })).text).toBe('Hello from the fake Responses API.');
    groq.use(openAiApi({ chat: { content: 'via groq' } }));
    expect((await generateText({ model: ai.responses('groq:llama-3.1-8b-instant'), prompt: 'Hi' })).text).toBe('via groq');
  });

  it('answers bad input with a 4xx in OpenAI’s dialect', async () => {
    const malformed = await fetch(`${gateway.url}/v1/model-router/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"model":' });
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { error: { code: string } }).error.code).toBe('invalid_json');
    const noModel = await postRaw(gateway, '/chat/completions', { messages: [] });
    expect(noModel.status).toBe(400);
    const disabled = await postRaw(gateway, '/chat/completions', { model: 'vllm:llama', messages: [] });
    expect(disabled.status).toBe(404);
    expect(((await disabled.json()) as { error: { message: string } }).error.message).toContain('SLUICE_VLLM_BASE_URL');
    const unknownProfile = await fetch(`${gateway.url}/v1/model-router/nobody/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'openai:gpt-4o-mini', messages: [] }),
    });
    expect(unknownProfile.status).toBe(404);
    const tooMany = await postRaw(gateway, '/chat/completions', { model: 'openai:a', models: ['openai:b', 'openai:c', 'openai:d', 'openai:e', 'openai:f'], messages: [] });
    expect(tooMany.status).toBe(400);
  });
});
