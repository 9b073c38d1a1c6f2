import { createOpenAI } from '@ai-sdk/openai';
import { generateText, jsonSchema, stepCountIs, streamText, tool, type JSONSchema7 } from 'ai';
import type OpenAI from 'openai';
import { AuthenticationError } from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { cohereChat, startFakeCohere } from '../fakes/cohere-upstream.ts';
import type { FakeServer } from '../fakes/fake-server.ts';
import { startGateway, type TestGateway } from '../support/gateway.ts';
import { PNG_DATA_URL, postRaw, recordsAfter, routerClient, sseData, sseEventNames, startImageServer, untilToolResult } from '../support/router.ts';

let fake: FakeServer;
let images: FakeServer;
let gateway: TestGateway;
let client: OpenAI;

const MODEL = 'cohere:command-a-03-2025';

beforeAll(async () => {
  fake = await startFakeCohere();
  images = await startImageServer();
  gateway = await startGateway({ SLUICE_COHERE_BASE_URL: fake.url, SLUICE_COHERE_API_KEY: 'co-server-key' });
  client = routerClient(gateway);
});

afterAll(async () => {
  await gateway?.close();
  await fake?.close();
  await images?.close();
});

beforeEach(() => fake.use(cohereChat()));

type CohereBody = { model: string; messages: Array<Record<string, unknown>>; [field: string]: unknown };
const sent = () => fake.last!.json as CohereBody;
const hasToolMessage = (json: unknown) => (json as CohereBody).messages.some((m) => m.role === 'tool');
const weatherCall = { id: 'get_weather_abc123', name: 'get_weather', arguments: '{"city":"Lisbon"}' };
const weatherParameters = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] };
const weatherTool = { type: 'function' as const, function: { name: 'get_weather', description: 'The weather', parameters: weatherParameters } };

describe('the model router to Cohere: Chat Completions', () => {
  it('translates a plain chat both ways with the server bearer key', async () => {
    const before = (await gateway.records()).length;
    const completion = await client.chat.completions.create({
      model: MODEL,
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hi' },
      ],
      max_tokens: 40,
      temperature: 0.3,
      top_p: 0.7,
      stop: ['END'],
      frequency_penalty: 0.2,
    });
    expect(completion.choices[0]!.message.content).toBe('Hello from the fake Command.');
    expect(completion.usage).toMatchObject({ prompt_tokens: 8, completion_tokens: 6 });
    expect(fake.last!.path).toBe('/v2/chat');
    expect(fake.last!.headers.authorization).toBe('Bearer co-server-key');
    expect(sent()).toEqual({
      model: 'command-a-03-2025',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hi' },
      ],
      max_tokens: 40,
      temperature: 0.3,
      p: 0.7,
      stop_sequences: ['END'],
      frequency_penalty: 0.2,
    });
    const [record] = await recordsAfter(gateway, before);
    expect(record).toMatchObject({ provider: 'cohere', model: 'command-a-03-2025', inputTokens: 8, outputTokens: 6, outcome: 'success' });
  });

  it('streams a valid chunk sequence', async () => {
    fake.use(cohereChat({ content: 'cohere streams too', chunks: 3 }));
    const response = await postRaw(gateway, '/chat/completions', { model: MODEL, messages: [{ role: 'user', content: 'Hi' }], stream: true, stream_options: { include_usage: true } });
    const events = sseData(await response.text());
    expect(events.at(-1)).toBe('[DONE]');
    const chunks = events.slice(0, -1).map((data) => JSON.parse(data));
    expect(chunks[0].choices[0].delta.role).toBe('assistant');
    expect(chunks.map((c) => c.choices[0]?.delta?.content ?? '').join('')).toBe('cohere streams too');
    expect(chunks.at(-1).usage).toMatchObject({ prompt_tokens: 8, completion_tokens: 6 });
    expect(sent().stream).toBe(true);
  });

  it('runs a tool round trip with runTools, the tool plan as the assistant text', async () => {
    fake.use(untilToolResult(cohereChat({ toolCalls: [weatherCall], toolPlan: 'I will look it up.' }), cohereChat({ content: 'Sunny.' }), hasToolMessage));
    const runner = client.chat.completions.runTools({
      model: MODEL,
      messages: [{ role: 'user', content: 'Weather in Lisbon?' }],
      tools: [{ type: 'function', function: { ...weatherTool.function, function: (args: { city: string }) => `sunny in ${args.city}`, parse: JSON.parse } }],
    });
    expect(await runner.finalContent()).toBe('Sunny.');
    expect(fake.received.at(-2)!.json).toMatchObject({ tools: [{ type: 'function', function: { name: 'get_weather', parameters: weatherParameters } }] });
    expect(sent().messages).toEqual([
      { role: 'user', content: 'Weather in Lisbon?' },
      {
        role: 'assistant',
        content: 'I will look it up.',
        tool_calls: [{ id: 'get_weather_abc123', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Lisbon"}' } }],
      },
      { role: 'tool', tool_call_id: 'get_weather_abc123', content: 'sunny in Lisbon' },
    ]);
  });

  it('streams a tool call, and carries a named tool choice as that tool alone with REQUIRED', async () => {
    fake.use(cohereChat({ toolCalls: [weatherCall] }));
    const other = { type: 'function' as const, function: { name: 'get_time', parameters: { type: 'object', properties: {} } } };
    const final = await client.chat.completions
      .stream({ model: MODEL, messages: [{ role: 'user', content: 'Weather?' }], tools: [weatherTool, other], tool_choice: { type: 'function', function: { name: 'get_weather' } } })
      .finalChatCompletion();
    expect(final.choices[0]!.message.tool_calls![0]).toMatchObject({ id: 'get_weather_abc123', function: { name: 'get_weather', arguments: '{"city":"Lisbon"}' } });
    expect(final.choices[0]!.finish_reason).toBe('tool_calls');
    expect(sent()).toMatchObject({ tool_choice: 'REQUIRED', tools: [{ function: { name: 'get_weather' } }] });
    expect((sent().tools as unknown[]).length).toBe(1);
  });

  it('passes images on as image_url parts (Cohere takes URLs and data URLs)', async () => {
    await client.chat.completions.create({
      model: MODEL,
      messages: [{ role: 'user', content: [{ type: 'text', text: 'What?' }, { type: 'image_url', image_url: { url: PNG_DATA_URL } }, { type: 'image_url', image_url: { url: `${images.url}/cat.png` } }] }],
    });
    expect(sent().messages[0]).toEqual({
      role: 'user',
      content: [
        { type: 'text', text: 'What?' },
        { type: 'image_url', image_url: { url: PNG_DATA_URL } },
        { type: 'image_url', image_url: { url: `${images.url}/cat.png` } },
      ],
    });
  });

  it('asks for JSON mode, a JSON schema, and thinking', async () => {
    fake.use(cohereChat({ content: '{"a":1}' }));
    const schema = { type: 'object', properties: { a: { type: 'number' } }, required: ['a'] };
    const completion = await client.chat.completions.create({
      model: MODEL,
      messages: [{ role: 'user', content: 'JSON' }],
      response_format: { type: 'json_schema', json_schema: { name: 'a', schema } },
      reasoning_effort: 'low',
    });
    expect(JSON.parse(completion.choices[0]!.message.content!)).toEqual({ a: 1 });
    expect(sent()).toMatchObject({ response_format: { type: 'json_object', json_schema: schema }, thinking: { type: 'enabled', token_budget: 2048 } });
    await client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'JSON' }], response_format: { type: 'json_object' }, reasoning_effort: 'none' });
    expect(sent()).toMatchObject({ response_format: { type: 'json_object' }, thinking: { type: 'disabled' } });
  });

  it('keeps the status of a Cohere error', async () => {
    fake.use(cohereChat({ failWith: { status: 401, message: 'invalid api token' } }));
    const error = await client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'Hi' }] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect((error as AuthenticationError).message).toContain('Cohere: invalid api token');
  });

  it('ends a stream whose generation failed with an error event', async () => {
    fake.use(cohereChat({ content: 'abcdef', chunks: 3, failAfterChunks: { chunks: 1, message: 'generation failed' } }));
    const before = (await gateway.records()).length;
    const raw = await postRaw(gateway, '/chat/completions', { model: MODEL, messages: [{ role: 'user', content: 'Hi' }], stream: true });
    const events = sseData(await raw.text());
    expect(events).not.toContain('[DONE]');
    expect(JSON.parse(events.at(-1)!)).toMatchObject({ error: { message: 'Cohere: generation failed', code: 'upstream_error' } });
    const [record] = await recordsAfter(gateway, before);
    expect(record).toMatchObject({ outcome: 'upstream_error', error: { message: 'Cohere: generation failed' } });
  });
});

describe('the model router to Cohere: Responses API', () => {
  it('answers plain and streamed Responses and runs a function call round trip', async () => {
    const response = await client.responses.create({ model: MODEL, input: 'Hi', instructions: 'Be brief.', temperature: 0.1 });
    expect(response.output_text).toBe('Hello from the fake Command.');
    expect(sent()).toMatchObject({ messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Hi' }], temperature: 0.1 });

    fake.use(cohereChat({ content: 'streamed', chunks: 2 }));
    const names = sseEventNames(await (await postRaw(gateway, '/responses', { model: MODEL, input: 'Hi', stream: true })).text());
    expect(names[0]).toBe('response.created');
    expect(names.at(-1)).toBe('response.completed');
    expect((await client.responses.stream({ model: MODEL, input: 'Hi' }).finalResponse()).output_text).toBe('streamed');

    fake.use(untilToolResult(cohereChat({ toolCalls: [weatherCall] }), cohereChat({ content: 'Sunny.' }), hasToolMessage));
    const tools = [{ type: 'function' as const, name: 'get_weather', parameters: weatherParameters, strict: false }];
    const first = await client.responses.create({ model: MODEL, input: 'Weather?', tools });
    const call = first.output.find((item) => item.type === 'function_call');
    expect(call).toMatchObject({ call_id: 'get_weather_abc123', arguments: '{"city":"Lisbon"}' });
    const second = await client.responses.create({
      model: MODEL,
      tools,
      input: [{ role: 'user', content: 'Weather?' }, first.output.find((item) => item.type === 'function_call')!, { type: 'function_call_output', call_id: 'get_weather_abc123', output: 'sunny' }],
    });
    expect(second.output_text).toBe('Sunny.');
    expect(sent().messages.at(-1)).toEqual({ role: 'tool', tool_call_id: 'get_weather_abc123', content: 'sunny' });
  });
});

describe('the ai SDK through the model router to Cohere', () => {
  it.each(['chat', 'responses'] as const)('streams text and runs a tool loop over %s', async (api) => {
    const openai = createOpenAI({ apiKey: 'sluice-router-client', baseURL: `${gateway.url}/v1/model-router` });
    const model = api === 'chat' ? openai.chat(MODEL) : openai.responses(MODEL);
    fake.use(cohereChat({ content: 'command via ai sdk', chunks: 3 }));
    let text = '';
    for await (const part of streamText({ model, prompt: 'Hi' }).fullStream) {
      if (part.type === 'error') throw part.error;
      if (part.type === 'text-delta') text += part.text;
    }
    expect(text).toBe('command via ai sdk');

    fake.use(untilToolResult(cohereChat({ toolCalls: [weatherCall] }), cohereChat({ content: 'Sunny.' }), hasToolMessage));
    const result = await generateText({
      model,
      prompt: 'Weather?',
      // Cohere's tool plan is assistant text: with store (the default) the ai SDK would refer to it
      // by id on the next step, and the router keeps no responses.
      providerOptions: { openai: { store: false } },
      tools: { get_weather: tool({ inputSchema: jsonSchema<{ city: string }>(weatherParameters as JSONSchema7), execute: async () => 'sunny' }) },
      stopWhen: stepCountIs(3),
    });
    expect(result.text).toBe('Sunny.');
  });
});
