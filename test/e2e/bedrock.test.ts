import {
  AccessDeniedException,
  BedrockRuntimeClient,
  ConverseCommand,
  ConverseStreamCommand,
  ModelStreamErrorException,
  ResourceNotFoundException,
  ServiceUnavailableException,
  ThrottlingException,
  ValidationException,
  type ConverseStreamOutput,
} from '@aws-sdk/client-bedrock-runtime';
import { BedrockClient, ListInferenceProfilesCommand } from '@aws-sdk/client-bedrock';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { getRuntime } from '../../lib/runtime.ts';
import { bedrockConverse, startFakeBedrock } from '../fakes/bedrock-upstream.ts';
import type { FakeServer } from '../fakes/fake-server.ts';
import { startGateway, type TestGateway } from '../support/gateway.ts';

const API_KEY = 'bedrock-api-key-ABSKexample0123456789';
const MODEL = 'us.anthropic.claude-sonnet-4-5-20250929-v1:0';
let fake: FakeServer;
let gateway: TestGateway;
let client: BedrockRuntimeClient;

/**
 * The local server speaks HTTP/1.1 without TLS; BedrockRuntimeClient defaults to HTTP/2, which
 * cannot be negotiated on a cleartext connection, so the client is given the HTTP/1.1 handler.
 */
function runtimeClient(options: ConstructorParameters<typeof BedrockRuntimeClient>[0] = {}) {
  return new BedrockRuntimeClient({
    region: 'us-east-1',
    endpoint: `${gateway.url}/v1/bedrock`,
    token: { token: API_KEY },
    authSchemePreference: ['httpBearerAuth'],
    requestHandler: new NodeHttpHandler(),
    maxAttempts: 1,
    ...options,
  });
}

beforeAll(async () => {
  fake = await startFakeBedrock();
  gateway = await startGateway({
    SLUICE_BEDROCK_BASE_URL: fake.url,
    SLUICE_BEDROCK_REGION: 'us-east-1',
    SLUICE_BEDROCK_API_KEY: undefined,
    SLUICE_BEDROCK_IAM_AUTH_ENABLED: undefined,
    SLUICE_BEDROCK_INFERENCE_PROFILE_PREFIX: 'us',
    SLUICE_BEDROCK_ALLOWED_PROVIDERS: 'anthropic,amazon',
    SLUICE_BEDROCK_ALLOWED_INFERENCE_REGIONS: 'us,global',
    SLUICE_MAX_BODY_BYTES: '65536',
  });
  client = runtimeClient();
});

afterAll(async () => {
  client?.destroy();
  await gateway?.close();
  await fake?.close();
});

beforeEach(() => fake.use(bedrockConverse()));

async function recordsAfter(before: number) {
  const records = await gateway.waitForRecords(before + 1);
  return records.slice(before);
}

async function collect(stream: AsyncIterable<ConverseStreamOutput> | undefined) {
  const events: ConverseStreamOutput[] = [];
  for await (const event of stream ?? []) events.push(event);
  return events;
}

const toolConfig = {
  tools: [
    {
      toolSpec: {
        name: 'get_weather',
        inputSchema: { json: { type: 'object', properties: { city: { type: 'string' } } } },
      },
    },
  ],
};

describe('Bedrock through Sluice with @aws-sdk/client-bedrock-runtime and a Bedrock API key', () => {
  it('answers Converse, forwards the key as a bearer token and records tokens', async () => {
    const before = (await gateway.records()).length;
    const response = await client.send(
      new ConverseCommand({ modelId: MODEL, messages: [{ role: 'user', content: [{ text: 'Hi' }] }] }),
    );
    expect(response.output?.message?.content?.[0]?.text).toBe('Hello from the fake Bedrock.');
    expect(response.usage?.inputTokens).toBe(21);

    const received = fake.last!;
    expect(received.path).toBe(`/model/${encodeURIComponent(MODEL)}/converse`);
    expect(received.headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(received.json).toEqual({ messages: [{ role: 'user', content: [{ text: 'Hi' }] }] });

    const [record] = await recordsAfter(before);
    expect(record).toMatchObject({
      provider: 'bedrock',
      operation: 'chat',
      model: MODEL,
      stream: false,
      status: 200,
      outcome: 'success',
      inputTokens: 28,
      outputTokens: 9,
      cacheReadTokens: 5,
      cacheWriteTokens: 2,
    });
    expect(JSON.stringify(record)).not.toContain(API_KEY);
  });

  it('streams ConverseStream frame by frame and reads usage from the metadata event', async () => {
    fake.use(bedrockConverse({ content: 'one two three four', chunks: 4 }));
    const before = (await gateway.records()).length;
    const response = await client.send(
      new ConverseStreamCommand({ modelId: MODEL, messages: [{ role: 'user', content: [{ text: 'count' }] }] }),
    );
    const events = await collect(response.stream);
    const text = events.map((e) => e.contentBlockDelta?.delta?.text ?? '').join('');
    expect(text).toBe('one two three four');
    expect(events.find((e) => e.messageStop)?.messageStop?.stopReason).toBe('end_turn');
    expect(events.find((e) => e.metadata)?.metadata?.usage?.outputTokens).toBe(9);
    expect(fake.last!.path).toBe(`/model/${encodeURIComponent(MODEL)}/converse-stream`);

    const [record] = await recordsAfter(before);
    expect(record).toMatchObject({ stream: true, status: 200, outcome: 'success', inputTokens: 28, outputTokens: 9, cacheReadTokens: 5 });
  });

  it('passes tool use through, plain and streamed', async () => {
    const toolUses = [{ toolUseId: 'tooluse_1', name: 'get_weather', input: { city: 'Paris' } }];
    fake.use(bedrockConverse({ toolUses }));
    const messages = [{ role: 'user' as const, content: [{ text: 'Weather in Paris?' }] }];
    const plain = await client.send(new ConverseCommand({ modelId: MODEL, messages, toolConfig }));
    expect(plain.stopReason).toBe('tool_use');
    expect(plain.output?.message?.content?.[0]?.toolUse).toEqual(toolUses[0]);
    expect(fake.last!.json).toMatchObject({ toolConfig: { tools: [{ toolSpec: { name: 'get_weather' } }] } });

    const streamed = await client.send(new ConverseStreamCommand({ modelId: MODEL, messages, toolConfig }));
    const events = await collect(streamed.stream);
    expect(events.find((e) => e.contentBlockStart)?.contentBlockStart?.start?.toolUse).toEqual({
      toolUseId: 'tooluse_1',
      name: 'get_weather',
    });
    const input = events.map((e) => e.contentBlockDelta?.delta?.toolUse?.input ?? '').join('');
    expect(JSON.parse(input)).toEqual({ city: 'Paris' });
  });

  it('raises the SDK’s own exception for a provider error', async () => {
    fake.use(bedrockConverse({ failWith: { status: 400, type: 'ValidationException', message: 'The model returned an error.' } }));
    const before = (await gateway.records()).length;
    const error = await client
      .send(new ConverseCommand({ modelId: MODEL, messages: [{ role: 'user', content: [{ text: 'x' }] }] }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationException);
    expect((error as Error).message).toBe('The model returned an error.');
    const [record] = await recordsAfter(before);
    expect(record).toMatchObject({ status: 400, outcome: 'upstream_error' });

    fake.use(bedrockConverse({ failWith: { status: 429, type: 'ThrottlingException', message: 'Too many requests.' } }));
    const throttled = await client
      .send(new ConverseStreamCommand({ modelId: MODEL, messages: [{ role: 'user', content: [{ text: 'x' }] }] }))
      .catch((e: unknown) => e);
    expect(throttled).toBeInstanceOf(ThrottlingException);
  });

  it('relays an exception Bedrock sends mid-stream, and records it', async () => {
    fake.use(bedrockConverse({ exceptionAfterFrames: { frames: 2, type: 'throttlingException', message: 'Slow down.' } }));
    const before = (await gateway.records()).length;
    const response = await client.send(
      new ConverseStreamCommand({ modelId: MODEL, messages: [{ role: 'user', content: [{ text: 'x' }] }] }),
    );
    const seen: ConverseStreamOutput[] = [];
    const error = await (async () => {
      for await (const event of response.stream ?? []) seen.push(event);
    })().catch((e: unknown) => e);
    expect(seen).toHaveLength(2);
    expect(error).toBeInstanceOf(ThrottlingException);
    expect((error as Error).message).toBe('Slow down.');
    const [record] = await recordsAfter(before);
    expect(record).toMatchObject({ stream: true, status: 200, outcome: 'upstream_error' });
    expect(record!.error?.message).toContain('throttlingException: Slow down.');
  });

  it('ends a stream that breaks mid-frame with an exception frame the SDK raises', async () => {
    fake.use(bedrockConverse({ cutMidFrameAfter: 2 }));
    const before = (await gateway.records()).length;
    const response = await client.send(
      new ConverseStreamCommand({ modelId: MODEL, messages: [{ role: 'user', content: [{ text: 'x' }] }] }),
    );
    const seen: ConverseStreamOutput[] = [];
    const error = await (async () => {
      for await (const event of response.stream ?? []) seen.push(event);
    })().catch((e: unknown) => e);
    expect(seen).toHaveLength(2);
    expect(error).toBeInstanceOf(ModelStreamErrorException);
    const [record] = await recordsAfter(before);
    expect(record).toMatchObject({ stream: true, outcome: 'error', error: { kind: 'upstream_error' } });
  });

  it('accepts a model ARN (percent-encoded in the path) and leaves it as given', async () => {
    const arn = 'arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc123def456';
    await client.send(new ConverseCommand({ modelId: arn, messages: [{ role: 'user', content: [{ text: 'x' }] }] }));
    expect(fake.last!.path).toBe(`/model/${encodeURIComponent(arn)}/converse`);
  });

  it('prefixes a bare foundation-model id with SLUICE_BEDROCK_INFERENCE_PROFILE_PREFIX', async () => {
    const before = (await gateway.records()).length;
    await client.send(
      new ConverseCommand({ modelId: 'anthropic.claude-3-haiku-20240307-v1:0', messages: [{ role: 'user', content: [{ text: 'x' }] }] }),
    );
    expect(fake.last!.path).toBe(`/model/${encodeURIComponent('us.anthropic.claude-3-haiku-20240307-v1:0')}/converse`);
    const [record] = await recordsAfter(before);
    expect(record!.model).toBe('anthropic.claude-3-haiku-20240307-v1:0');
  });

  it('refuses a SigV4-signed request when IAM auth is off, saying why, without calling Bedrock', async () => {
    const signed = runtimeClient({
      token: undefined,
      authSchemePreference: ['sigv4'],
      credentials: { accessKeyId: 'AKIDCLIENTEXAMPLE', secretAccessKey: 'client-secret-key-example' },
    });
    const calls = fake.received.length;
    const error = await signed
      .send(new ConverseCommand({ modelId: MODEL, messages: [{ role: 'user', content: [{ text: 'x' }] }] }))
      .catch((e: unknown) => e);
    signed.destroy();
    expect(error).toBeInstanceOf(AccessDeniedException);
    expect((error as Error).message).toContain('SigV4');
    expect((error as Error).message).toContain('SLUICE_BEDROCK_IAM_AUTH_ENABLED');
    expect(fake.received.length).toBe(calls);
  });

  it('answers an unknown profile with ResourceNotFoundException', async () => {
    const other = runtimeClient({ endpoint: `${gateway.url}/v1/bedrock/no-such-profile` });
    const error = await other
      .send(new ConverseCommand({ modelId: MODEL, messages: [{ role: 'user', content: [{ text: 'x' }] }] }))
      .catch((e: unknown) => e);
    other.destroy();
    expect(error).toBeInstanceOf(ResourceNotFoundException);
  });

  it('answers ServiceUnavailableException when Bedrock cannot be reached', async () => {
    const closed = await startFakeBedrock();
    const url = closed.url;
    await closed.close();
    // The base URL is read per request: point it at a port nothing listens on for this one call.
    const original = getRuntime().config.providers.bedrock!.baseUrl;
    getRuntime().config.providers.bedrock!.baseUrl = url;
    try {
      const error = await client
        .send(new ConverseCommand({ modelId: MODEL, messages: [{ role: 'user', content: [{ text: 'x' }] }] }))
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ServiceUnavailableException);
    } finally {
      getRuntime().config.providers.bedrock!.baseUrl = original;
    }
  });
});

function post(path: string, body: string, headers: Record<string, string> = {}) {
  return fetch(`${gateway.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${API_KEY}`, ...headers },
    body,
  });
}

describe('Bedrock wire details', () => {
  it('forwards the body byte for byte, unknown fields included', async () => {
    const raw = '{ "messages":[{"role":"user","content":[{"text":"caf\\u00e9"}]}],\n "additionalModelRequestFields": {"top_k": 5} }';
    const response = await post(`/v1/bedrock/model/${encodeURIComponent(MODEL)}/converse`, raw, {
      'x-amzn-bedrock-trace': 'ENABLED',
      'x-amzn-trace-id': 'Root=1-00000000-000000000000000000000000',
    });
    expect(response.status).toBe(200);
    expect(fake.last!.body.toString('utf8')).toBe(raw);
    expect(fake.last!.headers['x-amzn-bedrock-trace']).toBe('ENABLED');
    expect(fake.last!.headers['x-amzn-trace-id']).toBeUndefined();
  });

  it('relays the event stream bytes unchanged', async () => {
    const body = '{"messages":[{"role":"user","content":[{"text":"x"}]}]}';
    const direct = Buffer.from(
      await (await fetch(`${fake.url}/model/m/converse-stream`, { method: 'POST', body })).arrayBuffer(),
    );
    const proxied = await post(`/v1/bedrock/model/m/converse-stream`, body);
    expect(proxied.headers.get('content-type')).toBe('application/vnd.amazon.eventstream');
    expect(Buffer.from(await proxied.arrayBuffer()).equals(direct)).toBe(true);
  });

  it('serves /converse and /converse-stream with modelId in the body, which Bedrock gets in the path only', async () => {
    const before = (await gateway.records()).length;
    const response = await post('/v1/bedrock/converse', JSON.stringify({ modelId: MODEL, messages: [{ role: 'user', content: [{ text: 'x' }] }] }));
    expect(response.status).toBe(200);
    expect(fake.last!.path).toBe(`/model/${encodeURIComponent(MODEL)}/converse`);
    expect(fake.last!.json).toEqual({ messages: [{ role: 'user', content: [{ text: 'x' }] }] });

    const streamed = await post('/v1/bedrock/converse-stream', JSON.stringify({ modelId: MODEL, messages: [] }));
    expect(streamed.headers.get('content-type')).toBe('application/vnd.amazon.eventstream');
    await streamed.arrayBuffer();
    expect(fake.last!.path).toBe(`/model/${encodeURIComponent(MODEL)}/converse-stream`);
    const records = await gateway.waitForRecords(before + 2);
    expect(records.slice(before).map((r) => [r.model, r.stream, r.outputTokens])).toEqual([
      [MODEL, false, 9],
      [MODEL, true, 9],
    ]);
  });

  it.each([
    ['malformed JSON', `/v1/bedrock/model/m/converse`, '{"messages": [', {}, 400, 'ValidationException'],
    ['messages of the wrong type', `/v1/bedrock/model/m/converse`, '{"messages":"hi"}', {}, 400, 'ValidationException'],
    ['a missing body modelId', '/v1/bedrock/converse', '{"messages":[]}', {}, 400, 'ValidationException'],
    ['an unknown profile', '/v1/bedrock/nope/model/m/converse', '{"messages":[]}', {}, 404, 'ResourceNotFoundException'],
    ['no key', '/v1/bedrock/model/m/converse', '{"messages":[]}', { authorization: '' }, 401, 'AccessDeniedException'],
    ['an unknown operation', '/v1/bedrock/model/m/invoke', '{}', {}, 404, 'ResourceNotFoundException'],
    ['an oversized body', '/v1/bedrock/model/m/converse', JSON.stringify({ messages: [], pad: 'x'.repeat(70_000) }), {}, 413, 'ValidationException'],
  ])('answers %s in the AWS dialect', async (_name, path, body, headers, status, type) => {
    const calls = fake.received.length;
    const response = await post(path, body, headers);
    expect(response.status).toBe(status);
    expect(response.headers.get('x-amzn-errortype')).toBe(type);
    const json = (await response.json()) as { message: string };
    expect(json.message.length).toBeGreaterThan(10);
    expect(fake.received.length).toBe(calls);
  });
});

describe('Bedrock model list', () => {
  it('lists the allowed inference profiles as an OpenAI-style list, with the caller’s key', async () => {
    const mock = mockClient(BedrockClient);
    mock.on(ListInferenceProfilesCommand).resolves({
      inferenceProfileSummaries: [
        { inferenceProfileId: 'us.anthropic.claude-sonnet-4-6', inferenceProfileName: 'US Claude Sonnet 4.6', inferenceProfileArn: 'arn:a', status: 'ACTIVE', type: 'SYSTEM_DEFINED', models: [], createdAt: new Date('2025-01-02T00:00:00Z') },
        { inferenceProfileId: 'eu.anthropic.claude-sonnet-4-6', inferenceProfileName: 'EU Claude', inferenceProfileArn: 'arn:b', status: 'ACTIVE', type: 'SYSTEM_DEFINED', models: [] },
        { inferenceProfileId: 'global.amazon.nova-pro-v1:0', inferenceProfileName: 'Nova', inferenceProfileArn: 'arn:c', status: 'ACTIVE', type: 'SYSTEM_DEFINED', models: [] },
        { inferenceProfileId: 'us.meta.llama3-2-1b-instruct-v1:0', inferenceProfileName: 'Llama', inferenceProfileArn: 'arn:d', status: 'ACTIVE', type: 'SYSTEM_DEFINED', models: [] },
      ],
    });
    try {
      const before = (await gateway.records()).length;
      const response = await fetch(`${gateway.url}/v1/bedrock/models`, { headers: { authorization: `Bearer ${API_KEY}` } });
      expect(response.status).toBe(200);
      const list = (await response.json()) as { object: string; data: Array<{ id: string; owned_by: string; created: number }> };
      expect(list.object).toBe('list');
      expect(list.data.map((m) => m.id)).toEqual(['global.amazon.nova-pro-v1:0', 'us.anthropic.claude-sonnet-4-6']);
      expect(list.data[1]).toMatchObject({ object: 'model', owned_by: 'anthropic', created: 1735776000 });
      const [record] = await recordsAfter(before);
      expect(record).toMatchObject({ provider: 'bedrock', operation: 'models', status: 200, outcome: 'success' });
      const config = mock.commandCalls(ListInferenceProfilesCommand)[0]!.thisValue.config as { token?: () => Promise<{ token: string }> };
      expect((await config.token!()).token).toBe(API_KEY);
    } finally {
      mock.restore();
    }
  });

  it('relays an AWS error from ListInferenceProfiles in the AWS dialect', async () => {
    const mock = mockClient(BedrockClient);
    const { AccessDeniedException: ListAccessDenied } = await import('@aws-sdk/client-bedrock');
    mock.on(ListInferenceProfilesCommand).rejects(
      new ListAccessDenied({ message: 'User is not authorized to perform bedrock:ListInferenceProfiles', $metadata: { httpStatusCode: 403 } }),
    );
    try {
      const response = await fetch(`${gateway.url}/v1/bedrock/models`, { headers: { authorization: `Bearer ${API_KEY}` } });
      expect(response.status).toBe(403);
      expect(response.headers.get('x-amzn-errortype')).toBe('AccessDeniedException');
      expect(await response.json()).toEqual({ message: 'User is not authorized to perform bedrock:ListInferenceProfiles' });
    } finally {
      mock.restore();
    }
  });
});
