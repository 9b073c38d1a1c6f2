import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BedrockClient, ListInferenceProfilesCommand } from '@aws-sdk/client-bedrock';
import { mockClient } from 'aws-sdk-client-mock';
import type OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkSigV4, startFakeBedrock } from '../fakes/bedrock-upstream.ts';
import { FakeServer } from '../fakes/fake-server.ts';
import { geminiWithSts } from '../fakes/gemini-upstream.ts';
import { startGateway, type TestGateway } from '../support/gateway.ts';
import { putProfile } from '../support/profiles.ts';
import { recordsAfter, routerClient } from '../support/router.ts';

const ACCESS_TOKEN = 'ya29.fake-vertex-access-token-for-the-router';
const PROJECT = 'sluice-router-project';
const LOCATION = 'europe-west4';
const VERTEX_MODELS = `/v1/projects/${PROJECT}/locations/${LOCATION}/publishers/google/models`;

/** Sluice's own AWS credentials, found by the default chain in the environment (on AWS: the Lambda role). */
const SLUICE_AWS = { accessKeyId: 'AKIDROUTEREXAMPLE01', secretAccessKey: 'router-secret-access-key-example', sessionToken: 'router-session-token-example' };
const REGION = 'us-west-2';

const bedrockControlPlane = mockClient(BedrockClient);
let vertex: FakeServer;
let bedrock: FakeServer;
let gateway: TestGateway;
let client: OpenAI;
let dir: string;

beforeAll(async () => {
  vertex = await new FakeServer(geminiWithSts({}, ACCESS_TOKEN)).start();
  bedrock = await startFakeBedrock();
  // google-auth-library reads a workload-identity-federation file and exchanges its subject token at the fake STS.
  dir = mkdtempSync(join(tmpdir(), 'sluice-router-vertex-'));
  writeFileSync(join(dir, 'subject-token'), 'subject-token-from-the-platform');
  writeFileSync(
    join(dir, 'credentials.json'),
    JSON.stringify({
      type: 'external_account',
      audience: '//iam.googleapis.com/projects/123/locations/global/workloadIdentityPools/pool/providers/provider',
      subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
      token_url: `${vertex.url}/token`,
      credential_source: { file: join(dir, 'subject-token') },
    }),
  );
  bedrockControlPlane.on(ListInferenceProfilesCommand).resolves({
    inferenceProfileSummaries: [
      { inferenceProfileId: 'us.anthropic.claude-sonnet-4-5-20250929-v1:0', inferenceProfileName: 'US Claude', status: 'ACTIVE', type: 'SYSTEM_DEFINED', inferenceProfileArn: 'arn:a', models: [] },
      { inferenceProfileId: 'us.meta.llama3-3-70b-instruct-v1:0', inferenceProfileName: 'US Llama', status: 'ACTIVE', type: 'SYSTEM_DEFINED', inferenceProfileArn: 'arn:b', models: [] },
    ],
  });
  gateway = await startGateway({
    SLUICE_GEMINI_VERTEX_AI_ENABLED: 'true',
    SLUICE_GEMINI_VERTEX_AI_PROJECT: PROJECT,
    SLUICE_GEMINI_VERTEX_AI_LOCATION: LOCATION,
    SLUICE_GEMINI_VERTEX_AI_CREDENTIALS_FILE: join(dir, 'credentials.json'),
    SLUICE_GEMINI_VERTEX_AI_BASE_URL: vertex.url,
    SLUICE_GEMINI_API_KEY: undefined,
    SLUICE_BEDROCK_BASE_URL: bedrock.url,
    SLUICE_BEDROCK_REGION: REGION,
    SLUICE_BEDROCK_IAM_AUTH_ENABLED: 'true',
    SLUICE_BEDROCK_API_KEY: 'bedrock-server-key-not-used-with-iam',
    SLUICE_BEDROCK_INFERENCE_PROFILE_PREFIX: 'us',
    SLUICE_BEDROCK_ALLOWED_PROVIDERS: 'anthropic',
    AWS_ACCESS_KEY_ID: SLUICE_AWS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: SLUICE_AWS.secretAccessKey,
    AWS_SESSION_TOKEN: SLUICE_AWS.sessionToken,
  });
  client = routerClient(gateway);
});

afterAll(async () => {
  await gateway?.close();
  await vertex?.close();
  await bedrock?.close();
  bedrockControlPlane.restore();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const vertexCalls = () => vertex.received.filter((r) => r.path !== '/token');
const tokenCalls = () => vertex.received.filter((r) => r.path === '/token');

describe('the model router to Gemini on Vertex AI', () => {
  it("calls the project's Vertex endpoint with Sluice's Google access token", async () => {
    const before = (await gateway.records()).length;
    const completion = await client.chat.completions.create({ model: 'gemini:gemini-2.5-flash', messages: [{ role: 'user', content: 'Hi' }] });
    expect(completion.choices[0]!.message.content).toBe('Hello from the fake Gemini.');

    const received = vertexCalls().at(-1)!;
    expect(received.path).toBe(`${VERTEX_MODELS}/gemini-2.5-flash:generateContent`);
    expect(received.headers.authorization).toBe(`Bearer ${ACCESS_TOKEN}`);
    expect(received.headers['x-goog-api-key']).toBeUndefined();
    expect(received.json).toEqual({ contents: [{ role: 'user', parts: [{ text: 'Hi' }] }] });
    expect(tokenCalls()[0]!.body.toString()).toContain('subject_token=subject-token-from-the-platform');

    const [record] = await recordsAfter(gateway, before);
    expect(record).toMatchObject({ provider: 'gemini', model: 'gemini-2.5-flash', status: 200, inputTokens: 11 });
    expect(JSON.stringify(record)).not.toContain(ACCESS_TOKEN);
  });

  it('streams over SSE from Vertex, reusing the cached token', async () => {
    const stream = await client.chat.completions.create({ model: 'gemini:gemini-2.5-flash', messages: [{ role: 'user', content: 'count' }], stream: true });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
    expect(text).toBe('Hello from the fake Gemini.');
    const received = vertexCalls().at(-1)!;
    expect(received.path).toBe(`${VERTEX_MODELS}/gemini-2.5-flash:streamGenerateContent`);
    expect(received.query.get('alt')).toBe('sse');
    expect(received.headers.authorization).toBe(`Bearer ${ACCESS_TOKEN}`);
    expect(tokenCalls()).toHaveLength(1);
  });
});

describe('the model router to Bedrock with IAM auth', () => {
  it('signs the translated Converse body with SigV4, on the inference profile the prefix names', async () => {
    const before = (await gateway.records()).length;
    const completion = await client.chat.completions.create({
      model: 'bedrock:anthropic.claude-sonnet-4-5-20250929-v1:0',
      messages: [{ role: 'user', content: 'Hi' }],
    });
    expect(completion.choices[0]!.message.content).toBe('Hello from the fake Bedrock.');

    const received = bedrock.last!;
    expect(received.path).toBe('/model/us.anthropic.claude-sonnet-4-5-20250929-v1%3A0/converse');
    expect(received.json).toEqual({ messages: [{ role: 'user', content: [{ text: 'Hi' }] }] });
    expect(received.headers['x-amz-security-token']).toBe(SLUICE_AWS.sessionToken);
    expect(JSON.stringify(received.headers)).not.toContain('bedrock-server-key-not-used-with-iam');
    const check = await checkSigV4(received, SLUICE_AWS, REGION);
    expect(check).toMatchObject({ accessKeyId: SLUICE_AWS.accessKeyId, valid: true });
    expect(check!.scope).toMatch(new RegExp(`^\\d{8}/${REGION}/bedrock/aws4_request$`));

    const [record] = await recordsAfter(gateway, before);
    expect(record).toMatchObject({ provider: 'bedrock', model: 'anthropic.claude-sonnet-4-5-20250929-v1:0', status: 200 });
    const text = JSON.stringify(record);
    expect(text).not.toContain(SLUICE_AWS.secretAccessKey);
    expect(text).not.toContain(SLUICE_AWS.sessionToken);
  });

  it('signs ConverseStream too, for the Responses API', async () => {
    const stream = client.responses.stream({ model: 'bedrock:anthropic.claude-sonnet-4-5-20250929-v1:0', input: 'count' });
    const final = await stream.finalResponse();
    expect(final.output_text).toBe('Hello from the fake Bedrock.');
    const received = bedrock.last!;
    expect(received.path).toBe('/model/us.anthropic.claude-sonnet-4-5-20250929-v1%3A0/converse-stream');
    expect(await checkSigV4(received, SLUICE_AWS, REGION)).toMatchObject({ valid: true });
  });

  it('signs the body as a policy rewrote it', async () => {
    await putProfile({
      id: 'bedrock-agent',
      trustedDataPolicies: [
        { id: 'no-secrets', toolName: 'read_file', conditions: [{ key: 'text', operator: 'contains', value: 'PASSWORD' }], action: 'block_always' },
      ],
    });
    await routerClient(gateway, 'bedrock-agent').chat.completions.create({
      model: 'bedrock:anthropic.claude-sonnet-4-5-20250929-v1:0',
      messages: [
        { role: 'user', content: 'Read the file.' },
        { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'read_file', arguments: '{}' } }] },
        { role: 'tool', tool_call_id: 'call_1', content: JSON.stringify({ text: 'PASSWORD=hunter2' }) },
      ],
      tools: [{ type: 'function', function: { name: 'read_file', parameters: { type: 'object', properties: {} } } }],
    });
    const received = bedrock.last!;
    expect(received.body.toString()).not.toContain('hunter2');
    expect(received.body.toString()).toContain('toolResult');
    expect(await checkSigV4(received, SLUICE_AWS, REGION)).toMatchObject({ valid: true });
  });
});

describe('GET /v1/model-router/models with cloud credentials', () => {
  it("lists Bedrock's inference profiles with Sluice's IAM credentials, filtered as the Bedrock route filters them", async () => {
    const ids: string[] = [];
    for await (const model of client.models.list()) ids.push(model.id);
    expect(ids.filter((id) => id.startsWith('bedrock:'))).toEqual(['bedrock:us.anthropic.claude-sonnet-4-5-20250929-v1:0']);
    // Vertex AI has no list of the Gemini models a project may call.
    expect(ids.filter((id) => id.startsWith('gemini:'))).toEqual([]);
    expect(bedrockControlPlane.commandCalls(ListInferenceProfilesCommand)).toHaveLength(1);
  });
});
