import type OpenAI from 'openai';
import { InternalServerError } from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { anthropicMessages, startFakeAnthropic } from '../fakes/anthropic-upstream.ts';
import { FakeServer } from '../fakes/fake-server.ts';
import { openAiApi, startFakeOpenAiApi } from '../fakes/openai-api.ts';
import { startGateway, type TestGateway } from '../support/gateway.ts';
import { postRaw, recordsAfter, routerClient, sseData } from '../support/router.ts';

let anthropic: FakeServer;
let openai: FakeServer;
let gateway: TestGateway;
let client: OpenAI;

async function closedPortUrl(): Promise<string> {
  const server = await new FakeServer(() => undefined).start();
  const url = server.url;
  await server.close();
  return url;
}

beforeAll(async () => {
  anthropic = await startFakeAnthropic();
  openai = await startFakeOpenAiApi();
  gateway = await startGateway({
    SLUICE_ANTHROPIC_BASE_URL: anthropic.url,
    SLUICE_ANTHROPIC_API_KEY: 'sk-ant-server',
    SLUICE_OPENAI_BASE_URL: `${openai.url}/v1`,
    SLUICE_OPENAI_API_KEY: 'sk-openai-server',
    SLUICE_COHERE_BASE_URL: await closedPortUrl(),
    SLUICE_COHERE_API_KEY: 'co-server',
  });
  client = routerClient(gateway);
});

afterAll(async () => {
  await gateway?.close();
  await anthropic?.close();
  await openai?.close();
});

beforeEach(() => {
  anthropic.use(anthropicMessages({ failWith: { status: 503, type: 'overloaded_error', message: 'Overloaded' } }));
  openai.use(openAiApi({ chat: { content: 'served by the fallback' }, responses: { text: 'served by the fallback' } }));
});

describe('model router fallbacks', () => {
  it('tries the next model when the first answers 503: one clean answer, both attempts recorded', async () => {
    const before = (await gateway.records()).length;
    const completion = await client.chat.completions.create({
      model: 'anthropic:claude-sonnet-4-5',
      models: ['openai:gpt-4o-mini'],
      messages: [{ role: 'user', content: 'Hi' }],
    } as OpenAI.ChatCompletionCreateParamsNonStreaming);
    expect(completion.choices[0]!.message.content).toBe('served by the fallback');
    expect(anthropic.received).toHaveLength(1);
    expect((openai.last!.json as Record<string, unknown>).models).toBeUndefined();

    const [record] = await recordsAfter(gateway, before);
    expect(record).toMatchObject({
      provider: 'openai',
      model: 'gpt-4o-mini',
      outcome: 'success',
      status: 200,
      attempts: [
        { provider: 'anthropic', model: 'anthropic:claude-sonnet-4-5', status: 503, error: 'HTTP 503: Anthropic: Overloaded' },
        { provider: 'openai', model: 'openai:gpt-4o-mini', status: 200 },
      ],
    });
  });

  it('takes the fallbacks from X-Sluice-Fallback-Models, on a 429, for a stream', async () => {
    anthropic.use(anthropicMessages({ failWith: { status: 429, type: 'rate_limit_error', message: 'Slow down' } }));
    openai.use(openAiApi({ chat: { content: 'streamed by the fallback', chunks: 3 } }));
    const raw = await postRaw(
      gateway,
      '/chat/completions',
      { model: 'anthropic:claude-sonnet-4-5', messages: [{ role: 'user', content: 'Hi' }], stream: true },
      { 'x-sluice-fallback-models': 'openai:gpt-4o-mini' },
    );
    expect(raw.headers.get('x-sluice-model')).toBe('openai:gpt-4o-mini');
    const events = sseData(await raw.text());
    expect(events.at(-1)).toBe('[DONE]');
    expect(events.slice(0, -1).map((data) => JSON.parse(data).choices[0]?.delta?.content ?? '').join('')).toBe('streamed by the fallback');
  });

  it('moves on after a connection error', async () => {
    const before = (await gateway.records()).length;
    const response = await client.responses.create({ model: 'cohere:command-a', models: ['openai:gpt-4o-mini'], input: 'Hi' } as never);
    expect((response as OpenAI.Responses.Response).output_text).toBe('served by the fallback');
    const [record] = await recordsAfter(gateway, before);
    expect(record!.attempts).toHaveLength(2);
    expect(record!.attempts![0]).toMatchObject({ provider: 'cohere' });
    expect(record!.attempts![0]!.error).toContain('Could not reach the upstream');
    expect(record).toMatchObject({ provider: 'openai', operation: 'responses', outcome: 'success' });
  });

  it('does not fall back on a 400, and gives the last error when every model fails', async () => {
    anthropic.use(anthropicMessages({ failWith: { status: 400, type: 'invalid_request_error', message: 'Bad request' } }));
    const served = openai.received.length;
    const bad = await postRaw(gateway, '/chat/completions', { model: 'anthropic:claude-sonnet-4-5', models: ['openai:gpt-4o-mini'], messages: [{ role: 'user', content: 'Hi' }] });
    expect(bad.status).toBe(400);
    expect(openai.received.length).toBe(served);

    openai.use(openAiApi({ chat: { failWith: { status: 500, message: 'Down too', type: 'server_error' } } }));
    const before = (await gateway.records()).length;
    anthropic.use(anthropicMessages({ failWith: { status: 503, type: 'overloaded_error', message: 'Overloaded' } }));
    const error = await client.chat.completions
      .create({ model: 'anthropic:claude-sonnet-4-5', models: ['openai:gpt-4o-mini'], messages: [{ role: 'user', content: 'Hi' }] } as OpenAI.ChatCompletionCreateParamsNonStreaming)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InternalServerError);
    expect((error as InternalServerError).message).toContain('Down too');
    const [record] = await recordsAfter(gateway, before);
    expect(record).toMatchObject({
      provider: 'openai',
      outcome: 'upstream_error',
      attempts: [
        { provider: 'anthropic', status: 503 },
        { provider: 'openai', status: 500 },
      ],
    });
  });
});
