import Anthropic, {
  APIError,
  AuthenticationError,
  BadRequestError,
  ContentTooLargeError,
  GatewayTimeoutError,
  InternalServerError,
  NotFoundError,
} from '@anthropic-ai/sdk';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { anthropicMessages, startFakeAnthropic } from '../fakes/anthropic-upstream.ts';
import type { FakeServer } from '../fakes/fake-server.ts';
import { startGateway, type TestGateway } from '../support/gateway.ts';

const MAX_BODY_BYTES = 8192;
const FIRST_BYTE_TIMEOUT_MS = 500;

let fake: FakeServer;
let gateway: TestGateway;
let client: Anthropic;

beforeAll(async () => {
  fake = await startFakeAnthropic();
  gateway = await startGateway({
    SLUICE_ANTHROPIC_BASE_URL: fake.url,
    SLUICE_ANTHROPIC_API_KEY: undefined,
    SLUICE_MAX_BODY_BYTES: String(MAX_BODY_BYTES),
    SLUICE_UPSTREAM_FIRST_BYTE_TIMEOUT_MS: String(FIRST_BYTE_TIMEOUT_MS),
  });
  client = new Anthropic({ apiKey: 'sk-ant-api03-client-key', baseURL: `${gateway.url}/v1/anthropic`, maxRetries: 0 });
});

afterAll(async () => {
  await gateway?.close();
  await fake?.close();
});

beforeEach(() => fake.use(anthropicMessages()));

const message = { model: 'claude-fake', max_tokens: 16, messages: [{ role: 'user' as const, content: 'x' }] };

function post(path: string, body: string, headers: Record<string, string> = { 'x-api-key': 'sk-ant-api03-client-key' }) {
  return fetch(`${gateway.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
}

async function errorOf(response: Response): Promise<{ type: string; error: { type: string; message: string } }> {
  expect(response.headers.get('content-type')).toContain('application/json');
  return (await response.json()) as { type: string; error: { type: string; message: string } };
}

describe("Sluice's own errors on the Anthropic route", () => {
  it('answers malformed JSON with an invalid_request_error and never calls upstream', async () => {
    const calls = fake.received.length;
    const response = await post('/v1/anthropic/v1/messages', '{"model": "claude", "messages": [');
    expect(response.status).toBe(400);
    const body = await errorOf(response);
    expect(body.type).toBe('error');
    expect(body.error.type).toBe('invalid_request_error');
    expect(body.error.message).toMatch(/could not parse the JSON body/);
    expect(fake.received.length).toBe(calls);
  });

  it('answers wrong field types with a BadRequestError that names the field', async () => {
    const error = await client.messages
      .create({ ...message, model: 42 as unknown as string })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BadRequestError);
    expect((error as BadRequestError).type).toBe('invalid_request_error');
    expect((error as BadRequestError).message).toContain("'model'");

    const notArray = await post('/v1/anthropic/v1/messages', JSON.stringify({ model: 'claude', messages: 'hi' }));
    expect(notArray.status).toBe(400);
    expect((await errorOf(notArray)).error.message).toContain("'messages'");
    const notObject = await post('/v1/anthropic/v1/messages', '[1, 2]');
    expect(notObject.status).toBe(400);
  });

  it('answers an unknown profile with a NotFoundError', async () => {
    const other = new Anthropic({ apiKey: 'k', baseURL: `${gateway.url}/v1/anthropic/no-such-profile`, maxRetries: 0 });
    const error = await other.messages.create(message).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotFoundError);
    expect((error as NotFoundError).type).toBe('not_found_error');
    expect((error as NotFoundError).message).toContain("Profile 'no-such-profile' does not exist");
  });

  it('answers an unknown path with not_found_error and a wrong method with 405', async () => {
    const unknown = await post('/v1/anthropic/v1/complete', '{}');
    expect(unknown.status).toBe(404);
    expect((await errorOf(unknown)).error.type).toBe('not_found_error');
    const wrongMethod = await fetch(`${gateway.url}/v1/anthropic/v1/messages`, { headers: { 'x-api-key': 'k' } });
    expect(wrongMethod.status).toBe(405);
    expect((await errorOf(wrongMethod)).error.type).toBe('invalid_request_error');
  });

  it('answers a request without a key with an authentication_error', async () => {
    const calls = fake.received.length;
    const response = await post('/v1/anthropic/v1/messages', JSON.stringify(message), {});
    expect(response.status).toBe(401);
    expect((await errorOf(response)).error.type).toBe('authentication_error');
    const keyless = new Anthropic({ apiKey: 'placeholder', baseURL: `${gateway.url}/v1/anthropic`, maxRetries: 0, defaultHeaders: { authorization: 'Basic abc' } });
    const error = await keyless.messages.create(message).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(fake.received.length).toBe(calls);
  });

  it('answers an oversized body with request_too_large (ContentTooLargeError)', async () => {
    const error = await client.messages
      .create({ ...message, messages: [{ role: 'user', content: 'x'.repeat(MAX_BODY_BYTES) }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ContentTooLargeError);
    expect((error as ContentTooLargeError).status).toBe(413);
    expect((error as ContentTooLargeError).type).toBe('request_too_large');
  });

  it('answers an upstream that does not answer in time with a timeout_error (GatewayTimeoutError)', async () => {
    fake.use(anthropicMessages({ delayMs: FIRST_BYTE_TIMEOUT_MS * 4 }));
    const before = (await gateway.records()).length;
    const error = await client.messages.create(message).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GatewayTimeoutError);
    expect((error as GatewayTimeoutError).type).toBe('timeout_error');
    const [record] = (await gateway.waitForRecords(before + 1)).slice(before);
    expect(record).toMatchObject({ status: 504, outcome: 'error', error: { kind: 'timeout' } });
  });

  it('answers an upstream that drops the connection with an api_error (InternalServerError)', async () => {
    fake.use((_req, res) => {
      res.socket?.destroy();
    });
    const error = await client.messages.create(message).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InternalServerError);
    expect((error as InternalServerError).status).toBe(502);
    expect((error as InternalServerError).type).toBe('api_error');
  });

  it('relays an upstream 400 with its status and body unchanged', async () => {
    fake.use(anthropicMessages({ failWith: { status: 400, type: 'invalid_request_error', message: 'max_tokens: Field required' } }));
    const response = await post('/v1/anthropic/v1/messages', JSON.stringify(message));
    expect(response.status).toBe(400);
    expect(response.headers.get('request-id')).toBe('req_fake_error');
    expect(await response.json()).toEqual({
      type: 'error',
      error: { type: 'invalid_request_error', message: 'max_tokens: Field required' },
      request_id: 'req_fake_error',
    });
  });

  it('ends a stream that breaks mid-way with an error event the SDK raises, and records it', async () => {
    fake.use(anthropicMessages({ content: 'abcdef', chunks: 3, cutAfterChunks: 2 }));
    const before = (await gateway.records()).length;
    const stream = await client.messages.create({ ...message, stream: true });
    let text = '';
    const error = await (async () => {
      for await (const event of stream) {
        if (event.type === 'content_block_delta' && event.delta.type === 'text_delta') text += event.delta.text;
      }
    })().catch((e: unknown) => e);
    expect(text).toBe('abcd');
    expect(error).toBeInstanceOf(APIError);
    expect((error as APIError).type).toBe('api_error');
    expect((error as APIError).message).toContain('broke during the stream');
    const [record] = (await gateway.waitForRecords(before + 1)).slice(before);
    expect(record).toMatchObject({ stream: true, status: 200, outcome: 'error', inputTokens: 21, error: { kind: 'upstream_error' } });
  });

  it('ends a stream that stops before message_stop with an error event', async () => {
    fake.use((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(
        'event: message_start\ndata: {"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"claude","content":[],"stop_reason":null,"usage":{"input_tokens":3,"output_tokens":1}}}\n\n',
      );
    });
    const stream = await client.messages.create({ ...message, stream: true });
    const error = await (async () => {
      for await (const _event of stream) {
        // read until the error
      }
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APIError);
    expect((error as APIError).message).toContain('ended before its end marker');
  });
});
