import { Cohere, CohereClient, CohereClientV2, CohereError } from 'cohere-ai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { cohereChat, startFakeCohere } from '../fakes/cohere-upstream.ts';
import type { FakeServer } from '../fakes/fake-server.ts';
import { startGateway, type TestGateway } from '../support/gateway.ts';

const MAX_BODY_BYTES = 8192;
const FIRST_BYTE_TIMEOUT_MS = 500;

let fake: FakeServer;
let gateway: TestGateway;
let client: CohereClientV2;

beforeAll(async () => {
  fake = await startFakeCohere();
  gateway = await startGateway({
    SLUICE_COHERE_BASE_URL: fake.url,
    SLUICE_COHERE_API_KEY: undefined,
    SLUICE_MAX_BODY_BYTES: String(MAX_BODY_BYTES),
    SLUICE_UPSTREAM_FIRST_BYTE_TIMEOUT_MS: String(FIRST_BYTE_TIMEOUT_MS),
  });
  client = new CohereClientV2({ token: 'co-client-key-123', baseUrl: `${gateway.url}/v1/cohere`, maxRetries: 0 });
});

afterAll(async () => {
  await gateway?.close();
  await fake?.close();
});

beforeEach(() => fake.use(cohereChat()));

const chat = { model: 'command-a', messages: [{ role: 'user' as const, content: 'x' }] };

function post(path: string, body: string, headers: Record<string, string> = { authorization: 'Bearer co-client-key-123' }) {
  return fetch(`${gateway.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
}

async function messageOf(response: Response): Promise<string> {
  expect(response.headers.get('content-type')).toContain('application/json');
  const body = (await response.json()) as Record<string, unknown>;
  expect(Object.keys(body)).toEqual(['message']);
  return body.message as string;
}

describe("Sluice's own errors on the Cohere route", () => {
  it('answers malformed JSON with 400 {"message"} and never calls upstream', async () => {
    const calls = fake.received.length;
    const response = await post('/v1/cohere/v2/chat', '{"model": "command-a", ');
    expect(response.status).toBe(400);
    expect(await messageOf(response)).toMatch(/could not parse the JSON body/);
    expect(fake.received.length).toBe(calls);
  });

  it('answers wrong field types with 400 naming the field', async () => {
    const v2 = await post('/v1/cohere/v2/chat', JSON.stringify({ model: 7, messages: [] }));
    expect(v2.status).toBe(400);
    expect(await messageOf(v2)).toContain("'model'");
    const v1 = await post('/v1/cohere/v1/chat', JSON.stringify({ message: ['not', 'a', 'string'] }));
    expect(v1.status).toBe(400);
    expect(await messageOf(v1)).toContain("'message'");
    const stream = await post('/v1/cohere/v2/chat', JSON.stringify({ ...chat, stream: 'yes' }));
    expect(stream.status).toBe(400);
    expect(await messageOf(stream)).toContain("'stream'");
  });

  it('answers an unknown profile with Cohere.NotFoundError', async () => {
    const other = new CohereClientV2({ token: 'k', baseUrl: `${gateway.url}/v1/cohere/no-such-profile`, maxRetries: 0 });
    const error = await other.chat(chat).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Cohere.NotFoundError);
    expect((error as Cohere.NotFoundError).body).toEqual({ message: "Profile 'no-such-profile' does not exist." });
  });

  it('answers a request without a key with Cohere.UnauthorizedError', async () => {
    const calls = fake.received.length;
    const response = await post('/v1/cohere/v2/chat', JSON.stringify(chat), {});
    expect(response.status).toBe(401);
    expect(await messageOf(response)).toContain('No API key');
    const keyless = new CohereClientV2({ token: 'k', baseUrl: `${gateway.url}/v1/cohere`, maxRetries: 0, headers: { authorization: 'Basic abc' } });
    const error = await keyless.chat(chat).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Cohere.UnauthorizedError);
    expect(fake.received.length).toBe(calls);
  });

  it('answers an oversized body with 413 (a CohereError with the status)', async () => {
    const error = await client
      .chat({ ...chat, messages: [{ role: 'user', content: 'x'.repeat(MAX_BODY_BYTES) }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CohereError);
    expect((error as CohereError).statusCode).toBe(413);
  });

  it('answers an unknown path with 404 and a wrong method with 405', async () => {
    const unknown = await post('/v1/cohere/v2/embed', '{}');
    expect(unknown.status).toBe(404);
    expect(await messageOf(unknown)).toContain('No Cohere route');
    const wrongMethod = await fetch(`${gateway.url}/v1/cohere/v2/chat`, { headers: { authorization: 'Bearer k' } });
    expect(wrongMethod.status).toBe(405);
  });

  it('answers an upstream that does not answer in time with Cohere.GatewayTimeoutError', async () => {
    fake.use(cohereChat({ delayMs: FIRST_BYTE_TIMEOUT_MS * 4 }));
    const before = (await gateway.records()).length;
    const error = await client.chat(chat).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Cohere.GatewayTimeoutError);
    const [record] = (await gateway.waitForRecords(before + 1)).slice(before);
    expect(record).toMatchObject({ provider: 'cohere', status: 504, outcome: 'error', error: { kind: 'timeout' } });
  });

  it('answers an upstream that drops the connection with 502', async () => {
    fake.use((_req, res) => {
      res.socket?.destroy();
    });
    const error = await client.chat(chat).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CohereError);
    expect((error as CohereError).statusCode).toBe(502);
    expect((error as CohereError).body).toEqual({ message: 'Could not reach the upstream (ECONNRESET).' });
  });

  it('relays an upstream 500 with its status and body unchanged', async () => {
    fake.use(cohereChat({ failWith: { status: 500, message: 'internal server error, this has been reported to our developers' } }));
    const error = await client.chat(chat).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Cohere.InternalServerError);
    expect((error as Cohere.InternalServerError).body).toEqual({ message: 'internal server error, this has been reported to our developers' });
  });

  it('ends a v2 stream that breaks mid-way with a message-end ERROR event, and records it', async () => {
    fake.use(cohereChat({ content: 'abcdef', chunks: 3, cutAfterChunks: 2 }));
    const before = (await gateway.records()).length;
    const stream = await client.chatStream(chat);
    let text = '';
    let end: Cohere.ChatMessageEndEventDelta | undefined;
    for await (const event of stream) {
      if (event.type === 'content-delta') text += event.delta?.message?.content?.text ?? '';
      if (event.type === 'message-end') end = event.delta;
    }
    expect(text).toBe('abcd');
    expect(end).toMatchObject({ finishReason: 'ERROR', error: 'The upstream connection broke during the stream.' });
    const [record] = (await gateway.waitForRecords(before + 1)).slice(before);
    expect(record).toMatchObject({ stream: true, status: 200, outcome: 'error', error: { kind: 'upstream_error' } });
  });

  it('ends a v1 stream that breaks mid-way with a stream-end ERROR line', async () => {
    fake.use(cohereChat({ content: 'abcdef', chunks: 3, cutAfterChunks: 2 }));
    const v1 = new CohereClient({ token: 'co-client-key-123', baseUrl: `${gateway.url}/v1/cohere`, maxRetries: 0 });
    const stream = await v1.chatStream({ message: 'x' });
    let text = '';
    let end: Cohere.StreamedChatResponse.StreamEnd | undefined;
    for await (const event of stream) {
      if (event.eventType === 'text-generation') text += event.text;
      if (event.eventType === 'stream-end') end = event;
    }
    expect(text).toBe('abcd');
    expect(end).toMatchObject({ finishReason: 'ERROR', error: 'The upstream connection broke during the stream.' });
  });
});
