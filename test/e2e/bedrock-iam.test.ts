import { createHash } from 'node:crypto';
import { BedrockRuntimeClient, ConverseCommand, ConverseStreamCommand } from '@aws-sdk/client-bedrock-runtime';
import { BedrockClient, ListInferenceProfilesCommand } from '@aws-sdk/client-bedrock';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkSigV4, startFakeBedrock } from '../fakes/bedrock-upstream.ts';
import type { FakeServer } from '../fakes/fake-server.ts';
import { startGateway, type TestGateway } from '../support/gateway.ts';
import { putProfile } from '../support/profiles.ts';

/** Sluice's own credentials, found by the default chain in the environment (on AWS: the Lambda role). */
const SLUICE_CREDENTIALS = {
  accessKeyId: 'AKIDSLUICEEXAMPLE01',
  secretAccessKey: 'sluice-secret-access-key-example',
  sessionToken: 'sluice-session-token-example',
};
const CLIENT_CREDENTIALS = { accessKeyId: 'AKIDCLIENTEXAMPLE01', secretAccessKey: 'client-secret-access-key-example' };
const REGION = 'us-west-2';
const MODEL = 'us.amazon.nova-pro-v1:0';

let fake: FakeServer;
let gateway: TestGateway;
let client: BedrockRuntimeClient;

beforeAll(async () => {
  fake = await startFakeBedrock();
  gateway = await startGateway({
    SLUICE_BEDROCK_BASE_URL: fake.url,
    SLUICE_BEDROCK_REGION: REGION,
    SLUICE_BEDROCK_IAM_AUTH_ENABLED: 'true',
    SLUICE_BEDROCK_API_KEY: 'server-default-key-not-used-with-iam',
    AWS_ACCESS_KEY_ID: SLUICE_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: SLUICE_CREDENTIALS.secretAccessKey,
    AWS_SESSION_TOKEN: SLUICE_CREDENTIALS.sessionToken,
  });
  // The client signs with its own SigV4 credentials, as an application with an IAM user would.
  client = new BedrockRuntimeClient({
    region: REGION,
    endpoint: `${gateway.url}/v1/bedrock`,
    credentials: CLIENT_CREDENTIALS,
    requestHandler: new NodeHttpHandler(),
    maxAttempts: 1,
  });
});

afterAll(async () => {
  client?.destroy();
  await gateway?.close();
  await fake?.close();
});

describe('Bedrock with IAM auth: Sluice signs with SigV4 from the default credential chain', () => {
  it('replaces the client’s signature with its own on Converse', async () => {
    const before = (await gateway.records()).length;
    const response = await client.send(
      new ConverseCommand({ modelId: MODEL, messages: [{ role: 'user', content: [{ text: 'Hi' }] }] }),
    );
    expect(response.output?.message?.content?.[0]?.text).toBe('Hello from the fake Bedrock.');

    const received = fake.last!;
    expect(String(received.headers.authorization)).not.toContain(CLIENT_CREDENTIALS.accessKeyId);
    expect(received.headers['x-amz-security-token']).toBe(SLUICE_CREDENTIALS.sessionToken);
    const check = await checkSigV4(received, SLUICE_CREDENTIALS, REGION);
    expect(check).toMatchObject({ accessKeyId: SLUICE_CREDENTIALS.accessKeyId, valid: true });
    expect(check!.scope).toMatch(new RegExp(`^\\d{8}/${REGION}/bedrock/aws4_request$`));
    expect(check!.signedHeaders).toEqual(expect.arrayContaining(['host', 'x-amz-date', 'x-amz-content-sha256', 'content-type']));

    const [record] = (await gateway.waitForRecords(before + 1)).slice(before);
    expect(record).toMatchObject({ provider: 'bedrock', model: MODEL, outcome: 'success', inputTokens: 28 });
    const text = JSON.stringify(record);
    expect(text).not.toContain(SLUICE_CREDENTIALS.secretAccessKey);
    expect(text).not.toContain(SLUICE_CREDENTIALS.sessionToken);
  });

  it('signs ConverseStream too, and the stream arrives intact', async () => {
    const response = await client.send(
      new ConverseStreamCommand({ modelId: MODEL, messages: [{ role: 'user', content: [{ text: 'count' }] }] }),
    );
    let text = '';
    for await (const event of response.stream ?? []) text += event.contentBlockDelta?.delta?.text ?? '';
    expect(text).toBe('Hello from the fake Bedrock.');
    const check = await checkSigV4(fake.last!, SLUICE_CREDENTIALS, REGION);
    expect(check).toMatchObject({ accessKeyId: SLUICE_CREDENTIALS.accessKeyId, valid: true });
    expect(fake.last!.path).toBe(`/model/${encodeURIComponent(MODEL)}/converse-stream`);
  });

  it('signs a body that a policy rewrote, so Bedrock accepts what Sluice sends', async () => {
    await putProfile({
      id: 'iam-agent',
      trustedDataPolicies: [{ id: 'no-secrets', toolName: 'read_file', conditions: [{ key: '$', operator: 'contains', value: 'PASSWORD' }], action: 'block_always' }],
    });
    const agent = new BedrockRuntimeClient({
      region: REGION,
      endpoint: `${gateway.url}/v1/bedrock/iam-agent`,
      credentials: CLIENT_CREDENTIALS,
      requestHandler: new NodeHttpHandler(),
      maxAttempts: 1,
    });
    await agent.send(
      new ConverseCommand({
        modelId: MODEL,
        messages: [
          { role: 'user', content: [{ text: 'Read the config' }] },
          { role: 'assistant', content: [{ toolUse: { toolUseId: 'tu_1', name: 'read_file', input: {} } }] },
          { role: 'user', content: [{ toolResult: { toolUseId: 'tu_1', content: [{ text: 'PASSWORD=hunter2' }] } }] },
        ],
        toolConfig: { tools: [{ toolSpec: { name: 'read_file', inputSchema: { json: { type: 'object' } } } }] },
      }),
    );
    agent.destroy();
    expect(fake.last!.body.toString('utf8')).not.toContain('hunter2');
    // Bedrock checks the signed payload hash against the body it receives.
    expect(fake.last!.headers['x-amz-content-sha256']).toBe(createHash('sha256').update(fake.last!.body).digest('hex'));
    const check = await checkSigV4(fake.last!, SLUICE_CREDENTIALS, REGION);
    expect(check).toMatchObject({ accessKeyId: SLUICE_CREDENTIALS.accessKeyId, valid: true });
  });

  it('a signature made with other credentials does not verify (the check can fail)', async () => {
    await client.send(new ConverseCommand({ modelId: MODEL, messages: [{ role: 'user', content: [{ text: 'Hi' }] }] }));
    const check = await checkSigV4(fake.last!, { ...SLUICE_CREDENTIALS, secretAccessKey: 'another-secret' }, REGION);
    expect(check?.valid).toBe(false);
  });

  it('uses a Bedrock API key the client sends instead of signing', async () => {
    const keyed = new BedrockRuntimeClient({
      region: REGION,
      endpoint: `${gateway.url}/v1/bedrock`,
      token: { token: 'client-bedrock-api-key-0123456789' },
      authSchemePreference: ['httpBearerAuth'],
      requestHandler: new NodeHttpHandler(),
      maxAttempts: 1,
    });
    await keyed.send(new ConverseCommand({ modelId: MODEL, messages: [{ role: 'user', content: [{ text: 'Hi' }] }] }));
    keyed.destroy();
    expect(fake.last!.headers.authorization).toBe('Bearer client-bedrock-api-key-0123456789');
    expect(fake.last!.headers['x-amz-date']).toBeUndefined();
  });

  it('lists models with Sluice’s credentials', async () => {
    const mock = mockClient(BedrockClient);
    mock.on(ListInferenceProfilesCommand).resolves({
      inferenceProfileSummaries: [
        { inferenceProfileId: 'us.amazon.nova-pro-v1:0', inferenceProfileName: 'Nova', inferenceProfileArn: 'arn:a', status: 'ACTIVE', type: 'SYSTEM_DEFINED', models: [] },
      ],
    });
    try {
      const response = await fetch(`${gateway.url}/v1/bedrock/models`);
      expect(response.status).toBe(200);
      expect(((await response.json()) as { data: Array<{ id: string }> }).data.map((m) => m.id)).toEqual(['us.amazon.nova-pro-v1:0']);
      const config = mock.commandCalls(ListInferenceProfilesCommand)[0]!.thisValue.config as {
        credentials: () => Promise<{ accessKeyId: string }>;
        region: () => Promise<string>;
      };
      expect((await config.credentials()).accessKeyId).toBe(SLUICE_CREDENTIALS.accessKeyId);
      expect(await config.region()).toBe(REGION);
    } finally {
      mock.restore();
    }
  });
});
