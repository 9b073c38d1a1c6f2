import { createOpenAI } from '@ai-sdk/openai';
import { generateText, jsonSchema, stepCountIs, streamText, tool } from 'ai';
import type OpenAI from 'openai';
import { BadRequestError, NotFoundError, RateLimitError } from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { anthropicMessages, startFakeAnthropic } from '../fakes/anthropic-upstream.ts';
import type { FakeServer } from '../fakes/fake-server.ts';
import { startGateway, type TestGateway } from '../support/gateway.ts';
import { PNG_BASE64, PNG_DATA_URL, postRaw, recordsAfter, routerClient, sseData, sseEventNames, startImageServer, untilToolResult } from '../support/router.ts';

let fake: FakeServer;
let images: FakeServer;
let gateway: TestGateway;
let client: OpenAI;

const MODEL = 'anthropic:claude-sonnet-4-5';

beforeAll(async () => {
  fake = await startFakeAnthropic();
  images = await startImageServer();
  gateway = await startGateway({ SLUICE_ANTHROPIC_BASE_URL: fake.url, SLUICE_ANTHROPIC_API_KEY: 'sk-ant-server-key' });
  client = routerClient(gateway);
});

afterAll(async () => {
  await gateway?.close();
  await fake?.close();
  await images?.close();
});

beforeEach(() => fake.use(anthropicMessages()));

type AnthropicBody = { model: string; max_tokens: number; system?: unknown; messages: Array<{ role: string; content: Array<Record<string, unknown>> }>; [k: string]: unknown };
const sent = () => fake.last!.json as AnthropicBody;
const hasToolResult = (json: unknown) =>
  (json as AnthropicBody).messages.some((m) => m.role === 'user' && m.content.some((b) => b.type === 'tool_result'));

const weather = { id: 'toolu_fake_1', name: 'get_weather', input: { city: 'Lisbon' } };
const weatherTool = {
  type: 'function' as const,
  function: {
    name: 'get_weather',
    description: 'The weather in a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false },
  },
};

describe('the model router to Anthropic: Chat Completions', () => {
  it('translates a plain chat both ways, uses the server key, and records the provider that served', async () => {
    const before = (await gateway.records()).length;
    const completion = await client.chat.completions.create({
      model: MODEL,
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'developer', content: 'Answer in English.' },
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: 'Hello!' },
        { role: 'user', content: 'How are you?' },
      ],
      max_completion_tokens: 100,
      temperature: 0.2,
      top_p: 0.9,
      stop: ['END'],
    });
    expect(completion.object).toBe('chat.completion');
    expect(completion.choices[0]!.message).toMatchObject({ role: 'assistant', content: 'Hello from the fake Claude.' });
    expect(completion.choices[0]!.finish_reason).toBe('stop');
    expect(completion.usage).toMatchObject({ prompt_tokens: 21, completion_tokens: 9, total_tokens: 30 });

    expect(fake.last!.path).toBe('/v1/messages');
    expect(fake.last!.headers['x-api-key']).toBe('sk-ant-server-key');
    expect(fake.last!.headers.authorization).toBeUndefined();
    expect(fake.last!.headers['anthropic-version']).toBe('2023-06-01');
    expect(sent()).toEqual({
      model: 'claude-sonnet-4-5',
      max_tokens: 100,
      system: [
        { type: 'text', text: 'Be brief.' },
        { type: 'text', text: 'Answer in English.' },
      ],
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'Hi' }] },
        { role: 'assistant', content: [{ type: 'text', text: 'Hello!' }] },
        { role: 'user', content: [{ type: 'text', text: 'How are you?' }] },
      ],
      temperature: 0.2,
      top_p: 0.9,
      stop_sequences: ['END'],
    });

    const [record] = await recordsAfter(gateway, before);
    expect(record).toMatchObject({
      provider: 'anthropic',
      operation: 'chat',
      path: '/v1/model-router/chat/completions',
      model: 'claude-sonnet-4-5',
      responseModel: 'claude-sonnet-4-5-20250514',
      status: 200,
      outcome: 'success',
      inputTokens: 21,
      outputTokens: 9,
      attempts: [{ provider: 'anthropic', model: MODEL, status: 200 }],
    });
    expect(JSON.stringify(record)).not.toContain('sk-ant-server-key');
  });

  it('streams a valid chunk sequence: role first, deltas, finish, usage when asked, [DONE]', async () => {
    fake.use(anthropicMessages({ content: 'streamed through the router', chunks: 4 }));
    const response = await postRaw(gateway, '/chat/completions', {
      model: MODEL,
      messages: [{ role: 'user', content: 'Hi' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    expect(response.headers.get('x-sluice-model')).toBe(MODEL);
    const events = sseData(await response.text());
    expect(events.at(-1)).toBe('[DONE]');
    const chunks = events.slice(0, -1).map((data) => JSON.parse(data));
    expect(chunks[0].choices[0].delta).toEqual({ role: 'assistant', content: '' });
    const text = chunks.map((c) => c.choices[0]?.delta?.content ?? '').join('');
    expect(text).toBe('streamed through the router');
    const finish = chunks.at(-2);
    expect(finish.choices[0]).toMatchObject({ delta: {}, finish_reason: 'stop' });
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { prompt_tokens: 21, completion_tokens: 9 } });
    for (const chunk of chunks) expect(chunk).toMatchObject({ object: 'chat.completion.chunk', id: chunks[0].id });
    expect(sent().stream).toBe(true);
  });

  it('streams through the SDK helper and leaves out the usage chunk when it was not asked for', async () => {
    fake.use(anthropicMessages({ content: 'one two three', chunks: 3 }));
    const stream = client.chat.completions.stream({ model: MODEL, messages: [{ role: 'user', content: 'Count' }] });
    const chunks: unknown[] = [];
    stream.on('chunk', (chunk) => chunks.push(chunk));
    const final = await stream.finalChatCompletion();
    expect(final.choices[0]!.message.content).toBe('one two three');
    expect(final.choices[0]!.finish_reason).toBe('stop');
    expect(chunks.every((c) => (c as { choices: unknown[] }).choices.length === 1)).toBe(true);
  });

  it('runs a tool call round trip with runTools, tool_use and tool_result translated', async () => {
    fake.use(untilToolResult(anthropicMessages({ toolUse: weather }), anthropicMessages({ content: 'It is sunny in Lisbon.' }), hasToolResult));
    const calls: unknown[] = [];
    const runner = client.chat.completions.runTools({
      model: MODEL,
      messages: [{ role: 'user', content: 'Weather in Lisbon?' }],
      tools: [
        {
          type: 'function',
          function: {
            ...weatherTool.function,
            function: (args: { city: string }) => {
              calls.push(args);
              return { city: args.city, sky: 'sunny' };
            },
            parse: JSON.parse,
          },
        },
      ],
      tool_choice: 'auto',
    });
    expect(await runner.finalContent()).toBe('It is sunny in Lisbon.');
    expect(calls).toEqual([{ city: 'Lisbon' }]);

    const first = fake.received.at(-2)!.json as AnthropicBody;
    expect(first.tools).toEqual([{ name: 'get_weather', description: 'The weather in a city', input_schema: weatherTool.function.parameters }]);
    expect(first.tool_choice).toEqual({ type: 'auto' });
    const second = sent();
    expect(second.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'Weather in Lisbon?' }] },
      { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_fake_1', name: 'get_weather', input: { city: 'Lisbon' } }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_fake_1', content: '{"city":"Lisbon","sky":"sunny"}' }] },
    ]);
  });

  it('streams a tool call that the SDK stream helper assembles', async () => {
    fake.use(anthropicMessages({ toolUse: weather }));
    const stream = client.chat.completions.stream({
      model: MODEL,
      messages: [{ role: 'user', content: 'Weather?' }],
      tools: [weatherTool],
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
      parallel_tool_calls: false,
    });
    const final = await stream.finalChatCompletion();
    expect(final.choices[0]!.finish_reason).toBe('tool_calls');
    expect(final.choices[0]!.message.tool_calls).toEqual([
      { id: 'toolu_fake_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Lisbon"}' } },
    ]);
    expect(sent().tool_choice).toEqual({ type: 'tool', name: 'get_weather', disable_parallel_tool_use: true });
  });

  it('carries images as base64 blocks and URL blocks (Anthropic fetches URLs itself)', async () => {
    await client.chat.completions.create({
      model: MODEL,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is in these?' },
            { type: 'image_url', image_url: { url: PNG_DATA_URL } },
            { type: 'image_url', image_url: { url: `${images.url}/cat.png` } },
          ],
        },
      ],
    });
    expect(sent().messages[0]!.content).toEqual([
      { type: 'text', text: 'What is in these?' },
      { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG_BASE64 } },
      { type: 'image', source: { type: 'url', url: `${images.url}/cat.png` } },
    ]);
    expect(images.received).toHaveLength(0);
  });

  it('asks for structured output with the JSON schema and reads the JSON answer', async () => {
    fake.use(anthropicMessages({ content: '{"city":"Lisbon","temperature":21}' }));
    const schema = { type: 'object', properties: { city: { type: 'string' }, temperature: { type: 'number' } }, required: ['city', 'temperature'], additionalProperties: false };
    const completion = await client.chat.completions.create({
      model: MODEL,
      messages: [{ role: 'user', content: 'Weather as JSON' }],
      response_format: { type: 'json_schema', json_schema: { name: 'weather', schema, strict: true } },
    });
    expect(JSON.parse(completion.choices[0]!.message.content!)).toEqual({ city: 'Lisbon', temperature: 21 });
    expect(sent().output_config).toEqual({ format: { type: 'json_schema', schema } });
  });

  it('maps reasoning effort to a thinking budget, and to adaptive thinking on Claude 4.6 and later', async () => {
    await client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'Think' }], reasoning_effort: 'low' });
    expect(sent()).toMatchObject({ thinking: { type: 'enabled', budget_tokens: 2048 }, max_tokens: 2048 + 8192 });
    await client.chat.completions.create({ model: 'anthropic:claude-opus-4-7', messages: [{ role: 'user', content: 'Think' }], reasoning_effort: 'high' });
    expect(sent()).toMatchObject({ thinking: { type: 'adaptive' }, output_config: { effort: 'high' } });
  });

  it('refuses what Anthropic cannot carry with a 400 that names it', async () => {
    const refusals: Array<[Record<string, unknown>, string]> = [
      [{ n: 2 }, 'n'],
      [{ logprobs: true }, 'logprobs'],
      [{ response_format: { type: 'json_object' } }, 'response_format'],
      [{ seed: 7 }, 'seed'],
      [{ audio: { voice: 'alloy', format: 'mp3' }, modalities: ['text', 'audio'] }, 'audio'],
      [{ prediction: { type: 'content', content: 'x' } }, 'prediction'],
    ];
    for (const [extra, param] of refusals) {
      const error = await client.chat.completions
        .create({ model: MODEL, messages: [{ role: 'user', content: 'Hi' }], ...extra } as never)
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(BadRequestError);
      expect((error as BadRequestError).param).toBe(param);
      expect((error as BadRequestError).message).toContain('Anthropic');
    }
    const audioPart = await client.chat.completions
      .create({ model: MODEL, messages: [{ role: 'user', content: [{ type: 'input_audio', input_audio: { data: 'AAAA', format: 'wav' } }] }] })
      .catch((e: unknown) => e);
    expect(audioPart).toBeInstanceOf(BadRequestError);
  });

  it('answers an unqualified or unknown model with how to find valid ids', async () => {
    const unqualified = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi' }] }).catch((e: unknown) => e);
    expect(unqualified).toBeInstanceOf(BadRequestError);
    expect((unqualified as BadRequestError).message).toContain('GET /v1/model-router/models');
    const unknown = await client.chat.completions.create({ model: 'nope:model', messages: [{ role: 'user', content: 'Hi' }] }).catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(NotFoundError);
    expect((unknown as NotFoundError).code).toBe('model_not_found');
  });

  it('turns an Anthropic error into an OpenAI error with its status', async () => {
    fake.use(anthropicMessages({ failWith: { status: 429, type: 'rate_limit_error', message: 'Slow down' } }));
    const error = await client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'Hi' }] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitError);
    expect((error as RateLimitError).message).toContain('Anthropic: Slow down');
    expect((error as RateLimitError).code).toBe('rate_limit_error');
  });

  it('ends a stream whose upstream failed with an error event the SDK raises', async () => {
    fake.use(anthropicMessages({ content: 'partial answer here', chunks: 4, errorAfterChunks: { chunks: 2, type: 'overloaded_error', message: 'Overloaded' } }));
    const before = (await gateway.records()).length;
    const stream = await client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'Hi' }], stream: true });
    const error = await (async () => {
      for await (const _chunk of stream) {
        // read on
      }
    })().catch((e: unknown) => e);
    expect((error as Error).message).toContain('Overloaded');
    const [record] = await recordsAfter(gateway, before);
    expect(record).toMatchObject({ outcome: 'upstream_error', provider: 'anthropic' });
  });
});

describe('the model router to Anthropic: broken streams', () => {
  it.each(['/chat/completions', '/responses'])('ends %s with an error the SDK raises when the upstream connection breaks', async (path) => {
    fake.use(anthropicMessages({ content: 'a long answer that breaks', chunks: 5, cutAfterChunks: 2 }));
    const before = (await gateway.records()).length;
    const failure =
      path === '/responses'
        ? await client.responses.stream({ model: MODEL, input: 'Hi' }).finalResponse().catch((e: unknown) => e)
        : await (async () => {
            for await (const _chunk of await client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'Hi' }], stream: true })) {
              // read on
            }
          })().catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(Error);
    expect(String((failure as Error).message)).toMatch(/upstream/i);
    const [record] = await recordsAfter(gateway, before);
    expect(record).toMatchObject({ provider: 'anthropic', outcome: 'error', error: { kind: 'upstream_error' } });
  });
});

describe('the model router to Anthropic: Responses API', () => {
  it('translates instructions and input, and answers a Response object', async () => {
    const before = (await gateway.records()).length;
    const response = await client.responses.create({ model: MODEL, instructions: 'Be brief.', input: 'Hi', max_output_tokens: 50 });
    expect(response.object).toBe('response');
    expect(response.status).toBe('completed');
    expect(response.output_text).toBe('Hello from the fake Claude.');
    expect(response.usage).toMatchObject({ input_tokens: 21, output_tokens: 9, total_tokens: 30 });
    expect(sent()).toEqual({
      model: 'claude-sonnet-4-5',
      max_tokens: 50,
      system: [{ type: 'text', text: 'Be brief.' }],
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }],
    });
    const [record] = await recordsAfter(gateway, before);
    expect(record).toMatchObject({ provider: 'anthropic', operation: 'responses', inputTokens: 21, outputTokens: 9, outcome: 'success' });
  });

  it('streams Responses events in order, and responses.stream() assembles them', async () => {
    fake.use(anthropicMessages({ content: 'streamed response', chunks: 3 }));
    const raw = await postRaw(gateway, '/responses', { model: MODEL, input: 'Hi', stream: true });
    const names = sseEventNames(await raw.text());
    expect(names.slice(0, 4)).toEqual(['response.created', 'response.in_progress', 'response.output_item.added', 'response.content_part.added']);
    expect(names.filter((n) => n === 'response.output_text.delta')).toHaveLength(3);
    expect(names.slice(-4)).toEqual(['response.output_text.done', 'response.content_part.done', 'response.output_item.done', 'response.completed']);

    const stream = client.responses.stream({ model: MODEL, input: 'Hi' });
    const deltas: string[] = [];
    stream.on('response.output_text.delta', (event) => deltas.push(event.delta));
    const final = await stream.finalResponse();
    expect(deltas.join('')).toBe('streamed response');
    expect(final.output_text).toBe('streamed response');
    expect(final.usage?.input_tokens).toBe(21);
  });

  it('runs a function call round trip', async () => {
    fake.use(untilToolResult(anthropicMessages({ toolUse: weather }), anthropicMessages({ content: 'Sunny.' }), hasToolResult));
    const tools = [{ type: 'function' as const, name: 'get_weather', description: 'The weather', parameters: weatherTool.function.parameters, strict: true }];
    const first = await client.responses.create({ model: MODEL, input: 'Weather in Lisbon?', tools, tool_choice: 'required' });
    const call = first.output.find((item) => item.type === 'function_call');
    expect(call).toMatchObject({ type: 'function_call', call_id: 'toolu_fake_1', name: 'get_weather', arguments: '{"city":"Lisbon"}' });
    expect(sent()).toMatchObject({ tool_choice: { type: 'any' }, tools: [{ name: 'get_weather', strict: true }] });

    const second = await client.responses.create({
      model: MODEL,
      tools,
      input: [
        { role: 'user', content: 'Weather in Lisbon?' },
        { type: 'function_call', call_id: 'toolu_fake_1', name: 'get_weather', arguments: '{"city":"Lisbon"}' },
        { type: 'function_call_output', call_id: 'toolu_fake_1', output: '{"sky":"sunny"}' },
      ],
    });
    expect(second.output_text).toBe('Sunny.');
    expect(sent().messages.slice(1)).toEqual([
      { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_fake_1', name: 'get_weather', input: { city: 'Lisbon' } }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_fake_1', content: '{"sky":"sunny"}' }] },
    ]);
  });

  it('carries an input image and a JSON schema text format', async () => {
    fake.use(anthropicMessages({ content: '{"animal":"cat"}' }));
    const schema = { type: 'object', properties: { animal: { type: 'string' } }, required: ['animal'], additionalProperties: false };
    const response = await client.responses.create({
      model: MODEL,
      input: [{ role: 'user', content: [{ type: 'input_text', text: 'What animal?' }, { type: 'input_image', image_url: PNG_DATA_URL, detail: 'auto' }] }],
      text: { format: { type: 'json_schema', name: 'animal', schema, strict: true } },
    });
    expect(JSON.parse(response.output_text)).toEqual({ animal: 'cat' });
    expect(sent().messages[0]!.content[1]).toEqual({ type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG_BASE64 } });
    expect(sent().output_config).toEqual({ format: { type: 'json_schema', schema } });
  });

  it('refuses previous_response_id and item references: the router keeps no responses', async () => {
    const error = await client.responses.create({ model: MODEL, input: 'Hi', previous_response_id: 'resp_1' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BadRequestError);
    const reference = await client.responses.create({ model: MODEL, input: [{ type: 'item_reference', id: 'msg_1' }] }).catch((e: unknown) => e);
    expect(reference).toBeInstanceOf(BadRequestError);
    expect((reference as BadRequestError).message).toContain('store');
  });
});

describe('the ai SDK through the model router to Anthropic', () => {
  const openai = () => createOpenAI({ apiKey: 'sluice-router-client', baseURL: `${gateway.url}/v1/model-router` });
  const weatherAi = tool({
    description: 'The weather in a city',
    inputSchema: jsonSchema<{ city: string }>({ type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false }),
    execute: async ({ city }) => ({ city, sky: 'sunny' }),
  });

  it.each(['chat', 'responses'] as const)('generates and streams text over %s', async (api) => {
    const model = api === 'chat' ? openai().chat(MODEL) : openai().responses(MODEL);
    fake.use(anthropicMessages({ content: 'ai sdk text' }));
    const generated = await generateText({ model, prompt: 'Hi' });
    expect(generated.text).toBe('ai sdk text');
    expect(generated.usage.inputTokens).toBe(21);

    fake.use(anthropicMessages({ content: 'ai sdk stream', chunks: 4 }));
    const result = streamText({ model, prompt: 'Hi' });
    let text = '';
    for await (const part of result.fullStream) {
      if (part.type === 'error') throw part.error;
      if (part.type === 'text-delta') text += part.text;
    }
    expect(text).toBe('ai sdk stream');
    expect((await result.usage).outputTokens).toBe(9);
  });

  it.each(['chat', 'responses'] as const)('runs a tool loop over %s', async (api) => {
    const model = api === 'chat' ? openai().chat(MODEL) : openai().responses(MODEL);
    fake.use(untilToolResult(anthropicMessages({ toolUse: weather }), anthropicMessages({ content: 'Sunny in Lisbon.' }), hasToolResult));
    const result = await generateText({ model, prompt: 'Weather in Lisbon?', tools: { get_weather: weatherAi }, stopWhen: stepCountIs(3) });
    expect(result.text).toBe('Sunny in Lisbon.');
    expect(result.steps[0]!.toolCalls[0]).toMatchObject({ toolName: 'get_weather', input: { city: 'Lisbon' } });
    expect(sent().messages.at(-1)!.content[0]).toMatchObject({ type: 'tool_result', tool_use_id: 'toolu_fake_1' });
  });
});
