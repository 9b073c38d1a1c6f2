import { BedrockClient, ListInferenceProfilesCommand } from '@aws-sdk/client-bedrock';
import { mockClient } from 'aws-sdk-client-mock';
import type OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeServer, type FakeHandler } from '../fakes/fake-server.ts';
import { startFakeOpenAiApi } from '../fakes/openai-api.ts';
import { startFakeGemini } from '../fakes/router/gemini.ts';
import { startGateway, type TestGateway } from '../support/gateway.ts';
import { recordsAfter, routerClient } from '../support/router.ts';

const bedrock = mockClient(BedrockClient);
let openai: FakeServer;
let groq: FakeServer;
let anthropic: FakeServer;
let gemini: FakeServer;
let cohere: FakeServer;
let gateway: TestGateway;
let client: OpenAI;

const json =
  (check: (req: Parameters<FakeHandler>[0]) => boolean, body: unknown): FakeHandler =>
  (req, res) => {
    if (!check(req)) {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end('{"message":"unauthorized"}');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };

async function closedPortUrl(): Promise<string> {
  const server = await new FakeServer(() => undefined).start();
  await server.close();
  return server.url;
}

beforeAll(async () => {
  openai = await startFakeOpenAiApi();
  groq = await startFakeOpenAiApi();
  anthropic = await new FakeServer(
    json((req) => req.path === '/v1/models' && req.headers['x-api-key'] === 'sk-ant-server', {
      data: [{ type: 'model', id: 'claude-sonnet-4-5-20250929', display_name: 'Claude Sonnet 4.5', created_at: '2025-09-29T00:00:00Z' }],
      has_more: false,
    }),
  ).start();
  gemini = await startFakeGemini({ models: ['gemini-2.5-flash', 'gemini-2.5-pro'] });
  cohere = await new FakeServer(
    json((req) => req.path === '/v1/models' && req.query.get('endpoint') === 'chat' && req.headers.authorization === 'Bearer co-server', {
      models: [{ name: 'command-a-03-2025', endpoints: ['chat'] }],
    }),
  ).start();
  bedrock.on(ListInferenceProfilesCommand).resolves({
    inferenceProfileSummaries: [
      { inferenceProfileId: 'us.anthropic.claude-sonnet-4-5-20250929-v1:0', inferenceProfileName: 'US Claude', status: 'ACTIVE', type: 'SYSTEM_DEFINED', inferenceProfileArn: 'arn:x', models: [] },
      { inferenceProfileId: 'us.old.model', inferenceProfileName: 'old', status: 'INACTIVE' as never, type: 'SYSTEM_DEFINED', inferenceProfileArn: 'arn:y', models: [] },
    ],
  });
  gateway = await startGateway({
    SLUICE_OPENAI_BASE_URL: `${openai.url}/v1`,
    SLUICE_OPENAI_API_KEY: 'sk-openai-server',
    SLUICE_GROQ_BASE_URL: `${groq.url}/openai/v1`,
    SLUICE_GROQ_API_KEY: 'gsk-server',
    SLUICE_MISTRAL_API_KEY: undefined,
    SLUICE_ANTHROPIC_BASE_URL: anthropic.url,
    SLUICE_ANTHROPIC_API_KEY: 'sk-ant-server',
    SLUICE_GEMINI_BASE_URL: gemini.url,
    SLUICE_GEMINI_API_KEY: 'gemini-server',
    SLUICE_COHERE_BASE_URL: cohere.url,
    SLUICE_COHERE_API_KEY: 'co-server',
    SLUICE_BEDROCK_BASE_URL: 'https://bedrock-runtime.us-west-2.amazonaws.com',
    SLUICE_BEDROCK_API_KEY: 'bedrock-server',
    // Enabled by default and keyless: a provider whose list cannot be had is left out (not a real Ollama here).
    SLUICE_OLLAMA_BASE_URL: await closedPortUrl(),
  });
  client = routerClient(gateway, 'default');
});

afterAll(async () => {
  await gateway?.close();
  for (const fake of [openai, groq, anthropic, gemini, cohere]) await fake?.close();
  bedrock.restore();
});

describe('GET /v1/model-router/models', () => {
  it('lists the models of every reachable provider as OpenAI model objects with provider-qualified ids', async () => {
    const before = (await gateway.records()).length;
    const ids: string[] = [];
    for await (const model of client.models.list()) {
      expect(model).toMatchObject({ object: 'model', owned_by: model.id.split(':', 1)[0] });
      ids.push(model.id);
    }
    expect(ids).toEqual([
      'anthropic:claude-sonnet-4-5-20250929',
      'bedrock:us.anthropic.claude-sonnet-4-5-20250929-v1:0',
      'cohere:command-a-03-2025',
      'gemini:gemini-2.5-flash',
      'gemini:gemini-2.5-pro',
      'groq:gpt-4.1',
      'groq:gpt-4o-mini',
      'groq:text-embedding-3-small',
      'openai:gpt-4.1',
      'openai:gpt-4o-mini',
      'openai:text-embedding-3-small',
    ]);
    expect(openai.last!.headers.authorization).toBe('Bearer sk-openai-server');
    expect(groq.last!.path).toBe('/openai/v1/models');
    expect(gemini.last!.headers['x-goog-api-key']).toBe('gemini-server');
    expect(bedrock.commandCalls(ListInferenceProfilesCommand)).toHaveLength(1);
    const [record] = await recordsAfter(gateway, before);
    expect(record).toMatchObject({ provider: 'model-router', operation: 'models', status: 200, outcome: 'success' });
  });

  it('keeps each list for a while', async () => {
    const asked = openai.received.length;
    await client.models.list();
    expect(openai.received.length).toBe(asked);
    expect(bedrock.commandCalls(ListInferenceProfilesCommand)).toHaveLength(1);
  });
});
