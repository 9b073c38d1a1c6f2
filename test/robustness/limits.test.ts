import Anthropic from '@anthropic-ai/sdk';
import { BedrockRuntimeClient, ConverseCommand, ValidationException } from '@aws-sdk/client-bedrock-runtime';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { ApiError, GoogleGenAI } from '@google/genai';
import { CohereClientV2, CohereError } from 'cohere-ai';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type TestGateway } from '../support/gateway.ts';
import { dialectErrorProblem, type DialectName } from './support/dialects.ts';
import { UpstreamHub } from './support/upstream-hub.ts';

/*
 * The limits on what Sluice accepts, on every dialect: header and body size (413), JSON depth,
 * messages and tools (400), each in the route's own error shape, each naming its variable, and
 * a request just at each limit still going through. The limits are set low here to keep the
 * requests small.
 */

const LIMITS = {
  SLUICE_MAX_HEADER_BYTES: 4096,
  SLUICE_MAX_BODY_BYTES: 64 * 1024,
  SLUICE_MAX_JSON_DEPTH: 16,
  SLUICE_MAX_MESSAGES: 5,
  SLUICE_MAX_TOOLS: 3,
};

interface LimitRoute {
  dialect: DialectName;
  path: string;
  headers: Record<string, string>;
  /** A body with this many messages and tools, and a field nested this deep (the body itself is depth 1). */
  body(messages: number, tools: number, depth?: number): unknown;
}

const nest = (depth: number): unknown => (depth <= 0 ? 1 : { a: nest(depth - 1) });
const many = <T>(count: number, make: (i: number) => T) => Array.from({ length: count }, (_, i) => make(i));

const routes: Record<string, LimitRoute> = {
  'OpenAI chat': {
    dialect: 'openai',
    path: '/v1/openai/chat/completions',
    headers: { authorization: 'Bearer sk-limits' },
    body: (messages, tools, depth = 2) => ({
      model: 'gpt-4o-mini',
      messages: many(messages, () => ({ role: 'user', content: 'Hi' })),
      tools: many(tools, (i) => ({ type: 'function', function: { name: `t${i}` } })),
      metadata: nest(depth - 1),
    }),
  },
  'OpenAI Responses': {
    dialect: 'openai',
    path: '/v1/openai/responses',
    headers: { authorization: 'Bearer sk-limits' },
    body: (messages, tools, depth = 2) => ({
      model: 'gpt-4o-mini',
      input: many(messages, () => ({ role: 'user', content: 'Hi' })),
      tools: many(tools, (i) => ({ type: 'function', name: `t${i}` })),
      metadata: nest(depth - 1),
    }),
  },
  'Groq (OpenAI-compatible)': {
    dialect: 'openai',
    path: '/v1/groq/chat/completions',
    headers: { authorization: 'Bearer gsk-limits' },
    body: (messages, tools, depth = 2) => ({
      model: 'llama',
      messages: many(messages, () => ({ role: 'user', content: 'Hi' })),
      functions: many(tools, (i) => ({ name: `t${i}` })),
      metadata: nest(depth - 1),
    }),
  },
  Anthropic: {
    dialect: 'anthropic',
    path: '/v1/anthropic/v1/messages',
    headers: { 'x-api-key': 'sk-ant-limits' },
    body: (messages, tools, depth = 2) => ({
      model: 'claude-sonnet-4',
      max_tokens: 16,
      messages: many(messages, (i) => ({ role: i % 2 ? 'assistant' : 'user', content: 'Hi' })),
      tools: many(tools, (i) => ({ name: `t${i}`, input_schema: { type: 'object' } })),
      metadata: nest(depth - 1),
    }),
  },
  Gemini: {
    dialect: 'google',
    path: '/v1/gemini/v1beta/models/gemini-2.5-flash:generateContent',
    headers: { 'x-goog-api-key': 'gemini-limits' },
    body: (messages, tools, depth = 2) => ({
      contents: many(messages, () => ({ role: 'user', parts: [{ text: 'Hi' }] })),
      // Gemini groups functions in one tool: the limit counts the function declarations.
      tools: [{ functionDeclarations: many(tools, (i) => ({ name: `t${i}` })) }],
      generationConfig: nest(depth - 1),
    }),
  },
  Bedrock: {
    dialect: 'aws',
    path: '/v1/bedrock/model/anthropic.claude-3-haiku/converse',
    headers: { authorization: 'Bearer bedrock-limits' },
    body: (messages, tools, depth = 2) => ({
      messages: many(messages, () => ({ role: 'user', content: [{ text: 'Hi' }] })),
      toolConfig: { tools: many(tools, (i) => ({ toolSpec: { name: `t${i}`, inputSchema: { json: {} } } })) },
      additionalModelRequestFields: nest(depth - 1),
    }),
  },
  'Cohere v2': {
    dialect: 'cohere',
    path: '/v1/cohere/v2/chat',
    headers: { authorization: 'Bearer co-limits' },
    body: (messages, tools, depth = 2) => ({
      model: 'command-a',
      messages: many(messages, () => ({ role: 'user', content: 'Hi' })),
      tools: many(tools, (i) => ({ type: 'function', function: { name: `t${i}` } })),
      metadata: nest(depth - 1),
    }),
  },
  'Cohere v1': {
    dialect: 'cohere',
    path: '/v1/cohere/v1/chat',
    headers: { authorization: 'Bearer co-limits' },
    body: (messages, tools, depth = 2) => ({
      message: 'Hi',
      chat_history: many(messages, () => ({ role: 'USER', message: 'Hi' })),
      tools: many(tools, (i) => ({ name: `t${i}`, parameter_definitions: {} })),
      metadata: nest(depth - 1),
    }),
  },
};

let hub: UpstreamHub;
let gateway: TestGateway;

beforeAll(async () => {
  hub = await new UpstreamHub().start();
  gateway = await startGateway({
    ...Object.fromEntries(Object.entries(LIMITS).map(([name, value]) => [name, String(value)])),
    SLUICE_OPENAI_BASE_URL: `${hub.url('openai')}/v1`,
    SLUICE_GROQ_BASE_URL: `${hub.url('openai')}/groq/v1`,
    SLUICE_ANTHROPIC_BASE_URL: hub.url('anthropic'),
    SLUICE_GEMINI_BASE_URL: hub.url('gemini'),
    SLUICE_BEDROCK_BASE_URL: hub.url('bedrock'),
    SLUICE_BEDROCK_REGION: 'us-east-1',
    SLUICE_COHERE_BASE_URL: hub.url('cohere'),
  });
});

afterAll(async () => {
  await gateway?.close();
  await hub?.close();
});

async function send(route: LimitRoute, body: unknown, extraHeaders: Record<string, string> = {}) {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const response = await fetch(`${gateway.url}${route.path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...route.headers, ...extraHeaders },
    body: text,
  });
  return { status: response.status, headers: Object.fromEntries(response.headers), body: Buffer.from(await response.arrayBuffer()) };
}

describe.each(Object.entries(routes))('%s', (_name, route) => {
  const refused = async (answer: Awaited<ReturnType<typeof send>>, status: number, variable: string) => {
    expect(dialectErrorProblem(route.dialect, answer)).toBeUndefined();
    expect(answer.status).toBe(status);
    expect(answer.body.toString()).toContain(variable);
    const record = (await gateway.records()).find((r) => r.id === answer.headers['x-sluice-interaction-id']);
    expect(record).toMatchObject({ status, outcome: 'error', error: { kind: status === 413 ? 'payload_too_large' : 'bad_request' } });
  };

  it('goes through at every limit', async () => {
    const answer = await send(route, route.body(LIMITS.SLUICE_MAX_MESSAGES, LIMITS.SLUICE_MAX_TOOLS, LIMITS.SLUICE_MAX_JSON_DEPTH));
    expect(answer.status).toBe(200);
  });

  it('refuses headers over SLUICE_MAX_HEADER_BYTES with a 413', async () => {
    await refused(await send(route, route.body(1, 0), { 'x-padding': 'p'.repeat(LIMITS.SLUICE_MAX_HEADER_BYTES) }), 413, 'SLUICE_MAX_HEADER_BYTES');
  });

  it('refuses a body over SLUICE_MAX_BODY_BYTES with a 413', async () => {
    const body = JSON.stringify(route.body(1, 0)).replace(/^\{/, `{"padding":"${'p'.repeat(LIMITS.SLUICE_MAX_BODY_BYTES)}",`);
    await refused(await send(route, body), 413, 'SLUICE_MAX_BODY_BYTES');
  });

  it('refuses JSON nested deeper than SLUICE_MAX_JSON_DEPTH with a 400', async () => {
    await refused(await send(route, route.body(1, 0, LIMITS.SLUICE_MAX_JSON_DEPTH + 1)), 400, 'SLUICE_MAX_JSON_DEPTH');
  });

  it('refuses more than SLUICE_MAX_MESSAGES messages with a 400', async () => {
    await refused(await send(route, route.body(LIMITS.SLUICE_MAX_MESSAGES + 1, 0)), 400, 'SLUICE_MAX_MESSAGES');
  });

  it('refuses more than SLUICE_MAX_TOOLS tools with a 400', async () => {
    await refused(await send(route, route.body(1, LIMITS.SLUICE_MAX_TOOLS + 1)), 400, 'SLUICE_MAX_TOOLS');
  });
});

describe('as the official SDKs see the limits', () => {
  const tooMany = (count: number) => many(count, () => ({ role: 'user' as const, content: 'Hi' }));

  it('openai raises BadRequestError for too many messages', async () => {
    const client = new OpenAI({ apiKey: 'sk-limits', baseURL: `${gateway.url}/v1/openai`, maxRetries: 0 });
    const error = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: tooMany(6) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect((error as InstanceType<typeof OpenAI.BadRequestError>).code).toBe('too_many_messages');
  });

  it('@anthropic-ai/sdk raises an APIError with status 413 and type request_too_large for oversized headers', async () => {
    const client = new Anthropic({ apiKey: 'sk-ant-limits', baseURL: `${gateway.url}/v1/anthropic`, maxRetries: 0, defaultHeaders: { 'x-padding': 'p'.repeat(5000) } });
    const error = await client.messages.create({ model: 'claude-sonnet-4', max_tokens: 8, messages: tooMany(1) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Anthropic.APIError);
    expect((error as InstanceType<typeof Anthropic.APIError>).status).toBe(413);
    expect((error as InstanceType<typeof Anthropic.APIError>).type).toBe('request_too_large');
  });

  it('@google/genai raises an ApiError with status 400 for too many contents', async () => {
    const genai = new GoogleGenAI({ apiKey: 'gemini-limits', httpOptions: { baseUrl: `${gateway.url}/v1/gemini` } });
    const error = await genai.models.generateContent({ model: 'gemini-2.5-flash', contents: many(6, () => ({ role: 'user', parts: [{ text: 'Hi' }] })) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(400);
  });

  it('the AWS SDK raises ValidationException for too many tools', async () => {
    const client = new BedrockRuntimeClient({
      region: 'us-east-1',
      endpoint: `${gateway.url}/v1/bedrock`,
      token: { token: 'bedrock-limits' },
      authSchemePreference: ['httpBearerAuth'],
      requestHandler: new NodeHttpHandler(),
      maxAttempts: 1,
    });
    const tools = many(4, (i) => ({ toolSpec: { name: `t${i}`, inputSchema: { json: {} } } }));
    const error = await client.send(new ConverseCommand({ modelId: 'anthropic.claude-3-haiku', messages: [{ role: 'user', content: [{ text: 'Hi' }] }], toolConfig: { tools } })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationException);
    expect((error as Error).message).toContain('SLUICE_MAX_TOOLS');
  });

  it('cohere-ai raises a BadRequestError (a CohereError with status 400) for JSON nested too deep', async () => {
    const client = new CohereClientV2({ token: 'co-limits', baseUrl: `${gateway.url}/v1/cohere`, maxRetries: 0 });
    const deep = nest(LIMITS.SLUICE_MAX_JSON_DEPTH) as Record<string, unknown>;
    const error = await client.chat({ model: 'command-a', messages: [{ role: 'user', content: 'Hi' }], responseFormat: { type: 'json_object', jsonSchema: deep } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CohereError);
    expect((error as CohereError).statusCode).toBe(400);
  });
});
