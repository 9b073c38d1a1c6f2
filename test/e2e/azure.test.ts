import type { AccessToken, TokenCredential } from '@azure/identity';
import OpenAI, { AzureOpenAI } from 'openai';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { azureEntraTokens } from '../../lib/providers/azure/entra-token.ts';
import { expectingRequest, type RequestExpectation } from '../fakes/expect-request.ts';
import type { FakeServer } from '../fakes/fake-server.ts';
import { openAiApi, startFakeOpenAiApi } from '../fakes/openai-api.ts';
import { startGateway, type TestGateway } from '../support/gateway.ts';

/** Stands in for DefaultAzureCredential: hands out numbered tokens and remembers the scopes asked for. */
class RecordingCredential implements TokenCredential {
  readonly scopes: string[] = [];
  failWith: Error | undefined;

  async getToken(scopes: string | string[]): Promise<AccessToken> {
    if (this.failWith) throw this.failWith;
    this.scopes.push(Array.isArray(scopes) ? scopes.join(' ') : scopes);
    return { token: `entra-token-${this.scopes.length}`, expiresOnTimestamp: Date.now() + 3_600_000 };
  }
}

const CLIENT_KEY = 'azure-client-key-0123';
const DEPLOYMENT = 'gpt-4o-prod';

let fake: FakeServer;
let gateway: TestGateway | undefined;

beforeAll(async () => {
  fake = await startFakeOpenAiApi();
});

afterAll(async () => {
  await fake?.close();
});

interface Scenario {
  /** The path of the upstream base URL on the fake: `/openai` (resource) or `/openai/v1` (Foundry v1). */
  basePath: string;
  entra: boolean;
  apiVersion?: string;
}

async function startScenario({ basePath, entra, apiVersion }: Scenario): Promise<void> {
  gateway = await startGateway({
    // a fresh embedded DynamoDB per gateway: the previous one closed with its gateway
    SLUICE_DYNAMODB_ENDPOINT: undefined,
    SLUICE_AZURE_OPENAI_BASE_URL: `${fake.url}${basePath}`,
    SLUICE_AZURE_OPENAI_API_KEY: undefined,
    SLUICE_AZURE_OPENAI_ENTRA_ID_ENABLED: entra ? 'true' : undefined,
    SLUICE_AZURE_OPENAI_API_VERSION: apiVersion,
    SLUICE_AZURE_OPENAI_RESPONSES_API_VERSION: undefined,
  });
}

/** Requests sent to the current gateway: each leaves a record, written just after its response. */
let sent = 0;
const countingFetch: typeof fetch = (input, init) => {
  sent++;
  return fetch(input, init);
};

async function stopScenario(): Promise<void> {
  // let the last records land before the gateway (and its embedded DynamoDB) goes away
  await gateway?.waitForRecords(sent);
  sent = 0;
  await gateway?.close();
  gateway = undefined;
}

function azureClient(options: { profile?: string; apiKey?: string } = {}) {
  return new AzureOpenAI({
    endpoint: `${gateway!.url}/v1/azure${options.profile ? `/${options.profile}` : ''}`,
    apiKey: options.apiKey ?? CLIENT_KEY,
    apiVersion: '2024-10-21',
    maxRetries: 0,
    fetch: countingFetch,
  });
}

function expectUpstream(expected: RequestExpectation) {
  fake.use(expectingRequest({ method: 'POST', ...expected }, openAiApi()));
}

async function newRecords(before: number, count = 1) {
  return (await gateway!.waitForRecords(before + count)).slice(before);
}

async function chatPlainAndStreamed(client: OpenAI) {
  const before = (await gateway!.records()).length;
  const completion = await client.chat.completions.create({ model: DEPLOYMENT, messages: [{ role: 'user', content: 'Hi' }] });
  expect(completion.choices[0]?.message.content).toBe('Hello from the fake upstream.');
  const stream = await client.chat.completions.create({
    model: DEPLOYMENT,
    messages: [{ role: 'user', content: 'Hi' }],
    stream: true,
  });
  let text = '';
  for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
  expect(text).toBe('Hello from the fake upstream.');
  const records = await newRecords(before, 2);
  expect(records.map((r) => [r.provider, r.operation, r.stream, r.outcome, r.inputTokens, r.outputTokens])).toEqual([
    ['azure', 'chat', false, 'success', 12, 7],
    ['azure', 'chat', true, 'success', 12, 7],
  ]);
  expect(records[0]!.model).toBe(DEPLOYMENT);
}

async function responsesPlainAndStreamed(client: OpenAI) {
  const before = (await gateway!.records()).length;
  const response = await client.responses.create({ model: DEPLOYMENT, input: 'Hi' });
  expect(response.output_text).toBe('Hello from the fake Responses API.');
  const final = await client.responses.stream({ model: DEPLOYMENT, input: 'Hi' }).finalResponse();
  expect(final.output_text).toBe('Hello from the fake Responses API.');
  const records = await newRecords(before, 2);
  expect(records.map((r) => [r.operation, r.stream, r.outcome, r.inputTokens, r.outputTokens])).toEqual([
    ['responses', false, 'success', 21, 9],
    ['responses', true, 'success', 21, 9],
  ]);
}

describe('Azure resource URL (https://<r>.openai.azure.com/openai) with an API key', () => {
  beforeAll(() => startScenario({ basePath: '/openai', entra: false }));
  afterAll(stopScenario);

  it('sends chat to /deployments/<model>/chat/completions with the default api-version and the key as api-key', async () => {
    expectUpstream({
      path: `/openai/deployments/${DEPLOYMENT}/chat/completions`,
      query: { 'api-version': '2024-02-01' },
      headers: { 'api-key': CLIENT_KEY, authorization: undefined },
    });
    await chatPlainAndStreamed(azureClient());
  });

  it('sends Responses to /responses with the Responses api-version', async () => {
    expectUpstream({
      path: '/openai/responses',
      query: { 'api-version': '2025-04-01-preview' },
      headers: { 'api-key': CLIENT_KEY, authorization: undefined },
    });
    await responsesPlainAndStreamed(azureClient());
  });

  it('takes the deployment from the path when the AzureOpenAI client names one, on a profile route', async () => {
    expectUpstream({ path: '/openai/deployments/pinned-deployment/chat/completions', headers: { 'api-key': CLIENT_KEY } });
    const client = new AzureOpenAI({
      baseURL: `${gateway!.url}/v1/azure/default`,
      deployment: 'pinned-deployment',
      apiKey: CLIENT_KEY,
      apiVersion: '2024-10-21',
      maxRetries: 0,
      fetch: countingFetch,
    });
    await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi' }] });
    expect(fake.last!.json).toMatchObject({ model: 'gpt-4o' });
  });

  it('accepts the key as a bearer token too, and refuses a call without a key in the OpenAI dialect', async () => {
    expectUpstream({ path: `/openai/deployments/${DEPLOYMENT}/chat/completions`, headers: { 'api-key': 'bearer-sent-key' } });
    const viaBearer = await countingFetch(`${gateway!.url}/v1/azure/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer bearer-sent-key' },
      body: JSON.stringify({ model: DEPLOYMENT, messages: [] }),
    });
    expect(viaBearer.status).toBe(200);

    const error = await new OpenAI({ apiKey: 'x', baseURL: `${gateway!.url}/v1/azure`, maxRetries: 0, fetch: countingFetch, defaultHeaders: { authorization: null } })
      .chat.completions.create({ model: DEPLOYMENT, messages: [] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
  });

  it('relays an Azure error with its status and body', async () => {
    fake.use(openAiApi({ chat: { failWith: { status: 404, message: 'The API deployment for this resource does not exist.', code: 'DeploymentNotFound' } } }));
    const error = await azureClient().chat.completions.create({ model: 'missing', messages: [] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
    expect((error as InstanceType<typeof OpenAI.NotFoundError>).code).toBe('DeploymentNotFound');
  });
});

describe('Azure resource URL with SLUICE_AZURE_OPENAI_API_VERSION set', () => {
  beforeAll(() => startScenario({ basePath: '/openai', entra: false, apiVersion: '2024-10-21' }));
  afterAll(stopScenario);

  it('uses the configured api-version for chat', async () => {
    expectUpstream({ path: `/openai/deployments/${DEPLOYMENT}/chat/completions`, query: { 'api-version': '2024-10-21' } });
    await azureClient().chat.completions.create({ model: DEPLOYMENT, messages: [{ role: 'user', content: 'Hi' }] });
  });
});

describe('Azure Foundry v1 URL (https://<r>.services.ai.azure.com/openai/v1) with an API key', () => {
  beforeAll(() => startScenario({ basePath: '/openai/v1', entra: false }));
  afterAll(stopScenario);

  it('sends chat to /chat/completions with the model in the body and no api-version', async () => {
    expectUpstream({
      path: '/openai/v1/chat/completions',
      query: { 'api-version': undefined },
      headers: { 'api-key': CLIENT_KEY, authorization: undefined },
    });
    await chatPlainAndStreamed(azureClient());
    expect(fake.last!.json).toMatchObject({ model: DEPLOYMENT });
  });

  it('sends Responses to /responses with no api-version', async () => {
    expectUpstream({ path: '/openai/v1/responses', query: { 'api-version': undefined }, headers: { 'api-key': CLIENT_KEY } });
    await responsesPlainAndStreamed(azureClient());
  });

  it('serves the OpenAI client pointed at …/v1/azure/openai/v1 as well', async () => {
    expectUpstream({ path: '/openai/v1/chat/completions', headers: { 'api-key': CLIENT_KEY } });
    const client = new OpenAI({ apiKey: CLIENT_KEY, baseURL: `${gateway!.url}/v1/azure/openai/v1`, maxRetries: 0, fetch: countingFetch });
    await client.chat.completions.create({ model: DEPLOYMENT, messages: [{ role: 'user', content: 'Hi' }] });
  });
});

describe('Azure with Microsoft Entra ID (injected token source)', () => {
  const credential = new RecordingCredential();

  beforeAll(() => azureEntraTokens.useCredential(credential));
  afterEach(() => {
    credential.failWith = undefined;
  });

  describe('resource URL', () => {
    beforeAll(() => startScenario({ basePath: '/openai', entra: true }));
    afterAll(stopScenario);

    it('sends a cached bearer token for the Cognitive Services scope and never the client key', async () => {
      expectUpstream({
        path: `/openai/deployments/${DEPLOYMENT}/chat/completions`,
        query: { 'api-version': '2024-02-01' },
        headers: { authorization: 'Bearer entra-token-1', 'api-key': undefined },
      });
      await chatPlainAndStreamed(azureClient({ apiKey: 'client-key-not-for-azure' }));
      expect(credential.scopes).toEqual(['https://cognitiveservices.azure.com/.default']);

      expectUpstream({ path: '/openai/responses', headers: { authorization: 'Bearer entra-token-1', 'api-key': undefined } });
      await responsesPlainAndStreamed(azureClient({ apiKey: 'client-key-not-for-azure' }));
      expect(credential.scopes).toHaveLength(1);
    });

    it('needs no client key', async () => {
      expectUpstream({ path: `/openai/deployments/${DEPLOYMENT}/chat/completions`, headers: { authorization: 'Bearer entra-token-1' } });
      const response = await countingFetch(`${gateway!.url}/v1/azure/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: DEPLOYMENT, messages: [] }),
      });
      expect(response.status).toBe(200);
    });
  });

  describe('Foundry v1 URL', () => {
    beforeAll(() => startScenario({ basePath: '/openai/v1', entra: true }));
    afterAll(stopScenario);

    it('asks for the Foundry scope', async () => {
      const asked = credential.scopes.length;
      expectUpstream({ path: '/openai/v1/chat/completions', headers: { authorization: `Bearer entra-token-${asked + 1}` } });
      await chatPlainAndStreamed(azureClient());
      expect(credential.scopes.slice(asked)).toEqual(['https://ai.azure.com/.default']);
    });

    it('answers with a 502 in the OpenAI dialect when no token can be had', async () => {
      azureEntraTokens.useCredential(credential);
      credential.failWith = new Error('EnvironmentCredential is unavailable.');
      const calls = fake.received.length;
      const error = await azureClient().chat.completions.create({ model: DEPLOYMENT, messages: [] }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(OpenAI.APIError);
      expect((error as InstanceType<typeof OpenAI.APIError>).status).toBe(502);
      expect((error as InstanceType<typeof OpenAI.APIError>).code).toBe('entra_token_unavailable');
      expect((error as InstanceType<typeof OpenAI.APIError>).message).toContain('EnvironmentCredential is unavailable');
      expect(fake.received.length).toBe(calls);
    });
  });
});
