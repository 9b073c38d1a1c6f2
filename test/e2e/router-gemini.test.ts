import { createOpenAI } from '@ai-sdk/openai';
import { generateText, jsonSchema, stepCountIs, streamText, tool, type JSONSchema7 } from 'ai';
import type OpenAI from 'openai';
import { BadRequestError, InternalServerError } from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { FakeServer } from '../fakes/fake-server.ts';
import { geminiApi, startFakeGemini } from '../fakes/router/gemini.ts';
import { startGateway, type TestGateway } from '../support/gateway.ts';
import { PNG_BASE64, PNG_DATA_URL, postRaw, recordsAfter, routerClient, sseData, sseEventNames, startImageServer, untilToolResult } from '../support/router.ts';

let fake: FakeServer;
let images: FakeServer;
let gateway: TestGateway;
let client: OpenAI;

const MODEL = 'gemini:gemini-2.5-flash';

beforeAll(async () => {
  fake = await startFakeGemini();
  images = await startImageServer();
  gateway = await startGateway({
    SLUICE_GEMINI_BASE_URL: fake.url,
    SLUICE_GEMINI_API_KEY: 'gemini-server-key',
    // The image server of this test listens on loopback.
    SLUICE_MODEL_ROUTER_IMAGE_ALLOW_PRIVATE_ADDRESSES: 'true',
  });
  client = routerClient(gateway);
});

afterAll(async () => {
  await gateway?.close();
  await fake?.close();
  await images?.close();
});

beforeEach(() => fake.use(geminiApi()));

type Content = { role: string; parts: Array<Record<string, unknown>> };
type GeminiBody = { contents: Content[]; systemInstruction?: unknown; tools?: unknown; toolConfig?: unknown; generationConfig?: Record<string, unknown> };
const sent = () => fake.last!.json as GeminiBody;
const hasFunctionResponse = (json: unknown) => (json as GeminiBody).contents.some((c) => c.parts.some((p) => p.functionResponse));

const weatherCall = { id: 'fc-1', name: 'get_weather', args: { city: 'Lisbon' } };
const weatherParameters = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false };
const weatherTool = { type: 'function' as const, function: { name: 'get_weather', description: 'The weather in a city', parameters: weatherParameters } };

describe('the model router to Gemini: Chat Completions', () => {
  it('translates a plain chat both ways with the x-goog-api-key header', async () => {
    const before = (await gateway.records()).length;
    const completion = await client.chat.completions.create({
      model: MODEL,
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: 'Hello!' },
        { role: 'user', content: [{ type: 'text', text: 'And now?' }] },
      ],
      max_tokens: 64,
      temperature: 0.5,
      top_p: 0.8,
      stop: 'END',
      seed: 3,
      presence_penalty: 0.1,
    });
    expect(completion.choices[0]!.message.content).toBe('Hello from the fake Gemini.');
    expect(completion.model).toBe('gemini-2.5-flash-001');
    expect(completion.usage).toMatchObject({
      prompt_tokens: 11,
      completion_tokens: 9,
      prompt_tokens_details: { cached_tokens: 4 },
      completion_tokens_details: { reasoning_tokens: 3 },
    });
    expect(fake.last!.path).toBe('/v1beta/models/gemini-2.5-flash:generateContent');
    expect(fake.last!.headers['x-goog-api-key']).toBe('gemini-server-key');
    expect(fake.last!.headers.authorization).toBeUndefined();
    expect(sent()).toEqual({
      contents: [
        { role: 'user', parts: [{ text: 'Hi' }] },
        { role: 'model', parts: [{ text: 'Hello!' }] },
        { role: 'user', parts: [{ text: 'And now?' }] },
      ],
      systemInstruction: { parts: [{ text: 'Be brief.' }] },
      generationConfig: { temperature: 0.5, topP: 0.8, maxOutputTokens: 64, stopSequences: ['END'], seed: 3, presencePenalty: 0.1 },
    });
    const [record] = await recordsAfter(gateway, before);
    expect(record).toMatchObject({ provider: 'gemini', model: 'gemini-2.5-flash', inputTokens: 11, outputTokens: 9, cacheReadTokens: 4, reasoningTokens: 3 });
  });

  it('streams with alt=sse into a valid chunk sequence', async () => {
    fake.use(geminiApi({ content: 'streamed gemini text', chunks: 3 }));
    const response = await postRaw(gateway, '/chat/completions', { model: MODEL, messages: [{ role: 'user', content: 'Hi' }], stream: true, stream_options: { include_usage: true } });
    const events = sseData(await response.text());
    expect(fake.last!.path).toBe('/v1beta/models/gemini-2.5-flash:streamGenerateContent');
    expect(fake.last!.query.get('alt')).toBe('sse');
    expect(events.at(-1)).toBe('[DONE]');
    const chunks = events.slice(0, -1).map((data) => JSON.parse(data));
    expect(chunks[0].choices[0].delta.role).toBe('assistant');
    expect(chunks.map((c) => c.choices[0]?.delta?.content ?? '').join('')).toBe('streamed gemini text');
    expect(chunks.at(-2).choices[0].finish_reason).toBe('stop');
    expect(chunks.at(-1).usage).toMatchObject({ prompt_tokens: 11, completion_tokens: 9 });

    const stream = client.chat.completions.stream({ model: MODEL, messages: [{ role: 'user', content: 'Hi' }] });
    expect((await stream.finalChatCompletion()).choices[0]!.message.content).toBe('streamed gemini text');
  });

  it('runs a tool round trip with runTools, carrying the thought signature inside the tool call id', async () => {
    fake.use(
      untilToolResult(geminiApi({ functionCalls: [{ ...weatherCall, thoughtSignature: 'c2lnbmF0dXJl' }] }), geminiApi({ content: 'Sunny in Lisbon.' }), hasFunctionResponse),
    );
    const runner = client.chat.completions.runTools({
      model: 'gemini:gemini-3-pro-preview',
      messages: [{ role: 'user', content: 'Weather in Lisbon?' }],
      tools: [{ type: 'function', function: { ...weatherTool.function, function: (args: { city: string }) => ({ city: args.city, sky: 'sunny' }), parse: JSON.parse } }],
      tool_choice: 'required',
    });
    expect(await runner.finalContent()).toBe('Sunny in Lisbon.');
    const first = fake.received.at(-2)!.json as GeminiBody;
    expect(first.tools).toEqual([{ functionDeclarations: [{ name: 'get_weather', description: 'The weather in a city', parametersJsonSchema: weatherParameters }] }]);
    expect(first.toolConfig).toEqual({ functionCallingConfig: { mode: 'ANY' } });
    expect(sent().contents).toEqual([
      { role: 'user', parts: [{ text: 'Weather in Lisbon?' }] },
      { role: 'model', parts: [{ functionCall: { id: 'fc-1', name: 'get_weather', args: { city: 'Lisbon' } }, thoughtSignature: 'c2lnbmF0dXJl' }] },
      { role: 'user', parts: [{ functionResponse: { id: 'fc-1', name: 'get_weather', response: { city: 'Lisbon', sky: 'sunny' } } }] },
    ]);
  });

  it('streams a function call and gives a named tool choice as allowed function names', async () => {
    fake.use(geminiApi({ functionCalls: [weatherCall] }));
    const final = await client.chat.completions
      .stream({ model: MODEL, messages: [{ role: 'user', content: 'Weather?' }], tools: [weatherTool], tool_choice: { type: 'function', function: { name: 'get_weather' } } })
      .finalChatCompletion();
    expect(final.choices[0]!.finish_reason).toBe('tool_calls');
    expect(final.choices[0]!.message.tool_calls![0]).toMatchObject({ id: 'fc-1', function: { name: 'get_weather', arguments: '{"city":"Lisbon"}' } });
    expect(sent().toolConfig).toEqual({ functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['get_weather'] } });
  });

  it('inlines images: data URLs as they are, http URLs fetched by Sluice', async () => {
    const before = images.received.length;
    await client.chat.completions.create({
      model: MODEL,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Compare' },
            { type: 'image_url', image_url: { url: PNG_DATA_URL } },
            { type: 'image_url', image_url: { url: `${images.url}/cat.png`, detail: 'low' } },
          ],
        },
      ],
    });
    expect(sent().contents[0]!.parts).toEqual([
      { text: 'Compare' },
      { inlineData: { mimeType: 'image/png', data: PNG_BASE64 } },
      { inlineData: { mimeType: 'image/png', data: PNG_BASE64 } },
    ]);
    expect(images.received.length - before).toBe(1);
  });

  it('refuses an image that cannot be fetched with a 400', async () => {
    const error = await client.chat.completions
      .create({ model: MODEL, messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: `${images.url}/missing.png` } }] }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BadRequestError);
    expect((error as BadRequestError).message).toContain('answered 404');
  });

  it('asks for JSON mode and for a JSON schema', async () => {
    fake.use(geminiApi({ content: '{"ok":true}' }));
    const schema = { type: 'object', properties: { ok: { type: 'boolean' } }, required: ['ok'] };
    const structured = await client.chat.completions.create({
      model: MODEL,
      messages: [{ role: 'user', content: 'JSON please' }],
      response_format: { type: 'json_schema', json_schema: { name: 'ok', schema } },
    });
    expect(JSON.parse(structured.choices[0]!.message.content!)).toEqual({ ok: true });
    expect(sent().generationConfig).toEqual({ responseMimeType: 'application/json', responseJsonSchema: schema });
    await client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'JSON please' }], response_format: { type: 'json_object' } });
    expect(sent().generationConfig).toEqual({ responseMimeType: 'application/json' });
  });

  it('maps reasoning effort to a thinking budget (2.5) or level (3), and returns thoughts as reasoning_content', async () => {
    fake.use(geminiApi({ thoughts: 'Let me think.' }));
    const completion = await client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'Think' }], reasoning_effort: 'medium' });
    expect(sent().generationConfig).toEqual({ thinkingConfig: { thinkingBudget: 8192, includeThoughts: true } });
    expect((completion.choices[0]!.message as unknown as { reasoning_content: string }).reasoning_content).toBe('Let me think.');
    expect(completion.choices[0]!.message.content).toBe('Hello from the fake Gemini.');
    await client.chat.completions.create({ model: 'gemini:gemini-3-flash-preview', messages: [{ role: 'user', content: 'Think' }], reasoning_effort: 'low' });
    expect(sent().generationConfig).toEqual({ thinkingConfig: { thinkingLevel: 'LOW', includeThoughts: true } });
  });

  it('refuses parallel_tool_calls: false, which Gemini cannot honour', async () => {
    const error = await client.chat.completions
      .create({ model: MODEL, messages: [{ role: 'user', content: 'Hi' }], tools: [weatherTool], parallel_tool_calls: false })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BadRequestError);
    expect((error as BadRequestError).param).toBe('parallel_tool_calls');
  });

  it('keeps the status of a Google error, and ends a stream that failed with an error event', async () => {
    fake.use(geminiApi({ failWith: { code: 503, status: 'UNAVAILABLE', message: 'The model is overloaded.' } }));
    const error = await client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'Hi' }] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InternalServerError);
    expect((error as InternalServerError).status).toBe(503);
    expect((error as InternalServerError).message).toContain('Gemini: The model is overloaded.');

    fake.use(geminiApi({ content: 'abcdef', chunks: 3, errorAfterChunks: { chunks: 1, code: 500, status: 'INTERNAL', message: 'broke' } }));
    const stream = await client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'Hi' }], stream: true });
    const failure = await (async () => {
      for await (const _chunk of stream) {
        // read on
      }
    })().catch((e: unknown) => e);
    expect((failure as Error).message).toContain('INTERNAL: broke');
  });
});

describe('the model router to Gemini: Responses API', () => {
  it('answers plain and streamed Responses, with thoughts as a reasoning summary', async () => {
    fake.use(geminiApi({ thoughts: 'Thinking...', content: 'Done.' }));
    const response = await client.responses.create({ model: MODEL, input: 'Hi', instructions: 'Be brief.', reasoning: { effort: 'high' } });
    expect(response.output_text).toBe('Done.');
    expect(response.output[0]).toMatchObject({ type: 'reasoning', summary: [{ type: 'summary_text', text: 'Thinking...' }] });
    expect(response.usage?.output_tokens_details.reasoning_tokens).toBe(3);
    expect(sent()).toMatchObject({ systemInstruction: { parts: [{ text: 'Be brief.' }] }, generationConfig: { thinkingConfig: { thinkingBudget: 16384 } } });

    const raw = await postRaw(gateway, '/responses', { model: MODEL, input: 'Hi', stream: true });
    const names = sseEventNames(await raw.text());
    expect(names).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.reasoning_summary_part.added',
      'response.reasoning_summary_text.delta',
      'response.reasoning_summary_text.done',
      'response.reasoning_summary_part.done',
      'response.output_item.done',
      'response.output_item.added',
      'response.content_part.added',
      ...Array(3).fill('response.output_text.delta'),
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
    const final = await client.responses.stream({ model: MODEL, input: 'Hi' }).finalResponse();
    expect(final.output_text).toBe('Done.');
    expect(final.output.map((item) => item.type)).toEqual(['reasoning', 'message']);
  });

  it('streams a function call as Responses events and carries its output back', async () => {
    fake.use(untilToolResult(geminiApi({ functionCalls: [weatherCall] }), geminiApi({ content: 'Sunny.' }), hasFunctionResponse));
    const tools = [{ type: 'function' as const, name: 'get_weather', parameters: weatherParameters, strict: true }];
    const stream = client.responses.stream({ model: MODEL, input: 'Weather?', tools });
    const argDeltas: string[] = [];
    stream.on('response.function_call_arguments.delta', (event) => argDeltas.push(event.delta));
    const first = await stream.finalResponse();
    const call = first.output.find((item) => item.type === 'function_call')!;
    expect(call).toMatchObject({ call_id: 'fc-1', name: 'get_weather', arguments: '{"city":"Lisbon"}' });
    expect(argDeltas.join('')).toBe('{"city":"Lisbon"}');

    const second = await client.responses.create({
      model: MODEL,
      tools,
      input: [
        { role: 'user', content: 'Weather?' },
        { type: 'function_call', call_id: 'fc-1', name: 'get_weather', arguments: '{"city":"Lisbon"}' },
        { type: 'function_call_output', call_id: 'fc-1', output: 'sunny' },
      ],
    });
    expect(second.output_text).toBe('Sunny.');
    expect(sent().contents.at(-1)).toEqual({ role: 'user', parts: [{ functionResponse: { id: 'fc-1', name: 'get_weather', response: { result: 'sunny' } } }] });
  });

  it('carries an input image fetched from its URL and a JSON schema format', async () => {
    fake.use(geminiApi({ content: '{"animal":"cat"}' }));
    const schema = { type: 'object', properties: { animal: { type: 'string' } }, required: ['animal'] };
    const response = await client.responses.create({
      model: MODEL,
      input: [{ role: 'user', content: [{ type: 'input_text', text: 'Which animal?' }, { type: 'input_image', image_url: `${images.url}/cat.png`, detail: 'auto' }] }],
      text: { format: { type: 'json_schema', name: 'animal', schema } },
    });
    expect(JSON.parse(response.output_text)).toEqual({ animal: 'cat' });
    expect(sent().contents[0]!.parts[1]).toEqual({ inlineData: { mimeType: 'image/png', data: PNG_BASE64 } });
    expect(sent().generationConfig).toEqual({ responseMimeType: 'application/json', responseJsonSchema: schema });
  });
});

describe('the ai SDK through the model router to Gemini', () => {
  const openai = () => createOpenAI({ apiKey: 'sluice-router-client', baseURL: `${gateway.url}/v1/model-router` });

  it.each(['chat', 'responses'] as const)('streams text and runs a tool loop over %s', async (api) => {
    const model = api === 'chat' ? openai().chat(MODEL) : openai().responses(MODEL);
    fake.use(geminiApi({ content: 'gemini via ai sdk', chunks: 2 }));
    let text = '';
    for await (const part of streamText({ model, prompt: 'Hi' }).fullStream) {
      if (part.type === 'error') throw part.error;
      if (part.type === 'text-delta') text += part.text;
    }
    expect(text).toBe('gemini via ai sdk');

    fake.use(untilToolResult(geminiApi({ functionCalls: [weatherCall] }), geminiApi({ content: 'Sunny.' }), hasFunctionResponse));
    const result = await generateText({
      model,
      prompt: 'Weather in Lisbon?',
      tools: {
        get_weather: tool({
          inputSchema: jsonSchema<{ city: string }>(weatherParameters as JSONSchema7),
          execute: async ({ city }) => ({ city, sky: 'sunny' }),
        }),
      },
      stopWhen: stepCountIs(3),
    });
    expect(result.text).toBe('Sunny.');
    expect(sent().contents.at(-1)!.parts[0]).toMatchObject({ functionResponse: { name: 'get_weather' } });
  });
});
