import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anthropicMessages } from '../fakes/anthropic-upstream.ts';
import { FakeServer } from '../fakes/fake-server.ts';
import { startGateway, type TestGateway } from '../support/gateway.ts';

/**
 * Claude on Microsoft Foundry with Entra ID, through the production credential chain:
 * @azure/identity's DefaultAzureCredential finds an App Service managed identity
 * (IDENTITY_ENDPOINT / IDENTITY_HEADER), here a fake token endpoint, and Sluice sends its token.
 */
let foundry: FakeServer;
let identity: FakeServer;
let gateway: TestGateway;

beforeAll(async () => {
  const messages = anthropicMessages();
  foundry = await new FakeServer((req, res, raw) => {
    if (!req.path.startsWith('/anthropic/')) {
      res.writeHead(404).end();
      return;
    }
    return messages({ ...req, path: req.path.slice('/anthropic'.length) }, res, raw);
  }).start();
  identity = await new FakeServer((req, res) => {
    if (req.headers['x-identity-header'] !== 'identity-header-secret') {
      res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"unauthorized"}');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        access_token: 'entra-access-token',
        expires_on: String(Math.floor(Date.now() / 1000) + 3600),
        resource: req.query.get('resource'),
        token_type: 'Bearer',
      }),
    );
  }).start();
  gateway = await startGateway({
    SLUICE_ANTHROPIC_BASE_URL: `${foundry.url}/anthropic`,
    SLUICE_ANTHROPIC_AZURE_FOUNDRY_ENTRA_ID_ENABLED: 'true',
    SLUICE_ANTHROPIC_API_KEY: undefined,
    IDENTITY_ENDPOINT: `${identity.url}/msi/token`,
    IDENTITY_HEADER: 'identity-header-secret',
    AZURE_TENANT_ID: undefined,
    AZURE_CLIENT_ID: undefined,
    AZURE_CLIENT_SECRET: undefined,
    AZURE_FEDERATED_TOKEN_FILE: undefined,
  });
});

afterAll(async () => {
  await gateway?.close();
  await foundry?.close();
  await identity?.close();
});

describe('Claude on Microsoft Foundry with Entra ID', () => {
  it('needs no client key, sends an Entra token for https://ai.azure.com/.default, and fetches it once', async () => {
    const response = await fetch(`${gateway.url}/v1/anthropic/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
      body: JSON.stringify({ model: 'claude-foundry-deployment', max_tokens: 16, messages: [{ role: 'user', content: 'Hi' }] }),
    });
    expect(response.status).toBe(200);
    expect(foundry.last!.path).toBe('/anthropic/v1/messages');
    expect(foundry.last!.headers.authorization).toBe('Bearer entra-access-token');
    expect(foundry.last!.headers['x-api-key']).toBeUndefined();
    expect(identity.received).toHaveLength(1);
    expect(identity.last!.query.get('resource')).toBe('https://ai.azure.com');

    const client = new Anthropic({ apiKey: 'not-forwarded', baseURL: `${gateway.url}/v1/anthropic`, maxRetries: 0 });
    const stream = await client.messages.create({
      model: 'claude-foundry-deployment',
      max_tokens: 16,
      messages: [{ role: 'user', content: 'Hi' }],
      stream: true,
    });
    let text = '';
    for await (const event of stream) {
      if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') text += event.delta.text;
    }
    expect(text).toBe('Hello from the fake Claude.');
    expect(foundry.last!.headers.authorization).toBe('Bearer entra-access-token');
    expect(foundry.last!.headers['x-api-key']).toBeUndefined();
    expect(identity.received).toHaveLength(1);

    const records = await gateway.waitForRecords(2);
    expect(records.map((r) => [r.provider, r.outcome, r.inputTokens, r.outputTokens])).toEqual([
      ['anthropic', 'success', 21, 9],
      ['anthropic', 'success', 21, 9],
    ]);
    expect(JSON.stringify(records)).not.toContain('entra-access-token');
  });
});
