import { createOpenAI } from '@ai-sdk/openai';
import { generateText, jsonSchema, stepCountIs, streamText, tool, type JSONSchema7 } from 'ai';
import type OpenAI from 'openai';
import { BadRequestError, RateLimitError } from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { FakeServer } from '../fakes/fake-server.ts';
import { bedrockApi, startFakeBedrock } from '../fakes/router/bedrock.ts';
import { startGateway, type TestGateway } from '../support/gateway.ts';
import { PNG_BASE64, PNG_DATA_URL, postRaw, recordsAfter, routerClient, sseData, sseEventNames, startImageServer, untilToolResult } from '../support/router.ts';

let fake: FakeServer;
let images: FakeServer;
let gateway: TestGateway;
let client: OpenAI;

const MODEL = 'bedrock:amazon.nova-pro-v1:0';

beforeAll(async () => {
  fake = await startFakeBedrock();
  images = await startImageServer();
  gateway = await startGateway({ SLUICE_BEDROCK_BASE_URL: fake.url, SLUICE_BEDROCK_API_KEY: 'bedrock-server-key' });
  client = routerClient(gateway);
});

afterAll(async () => {
  await gateway?.close();
  await fake?.close();
  await images?.close();
});

beforeEach(() => fake.use(bedrockApi()));

type Block = Record<string, unknown>;
type ConverseBody = { messages: Array<{ role: string; content: Block[] }>; system?: unknown; inferenceConfig?: unknown; toolConfig?: unknown; outputConfig?: unknown };
const sent = () => fake.last!.json as ConverseBody;
const hasToolResult = (json: unknown) => (json as ConverseBody).messages.some((m) => m.content.some((b) => b.toolResult));
const weatherUse = { toolUseId: 'tooluse_abc', name: 'get_weather', input: { city: 'Lisbon' } };
const weatherParameters = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] };
const weatherTool = { type: 'function' as const, function: { name: 'get_weather', description: 'The weather', parameters: weatherParameters } };

describe('the model router to Bedrock: Chat Completions', () => {
  it('translates a plain chat into Converse, the model id split at its first colon', async () => {
    const before = (await gateway.records()).length;
    const completion = await client.chat.completions.create({
      model: MODEL,
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hi' },
        { role: 'user', content: 'Still there?' },
      ],
      max_completion_tokens: 30,
      temperature: 0.4,
      stop: ['END'],
    });
    expect(completion.choices[0]!.message.content).toBe('Hello from the fake Bedrock.');
    expect(completion.model).toBe('amazon.nova-pro-v1:0');
    expect(completion.usage).toMatchObject({ prompt_tokens: 28, completion_tokens: 9, prompt_tokens_details: { cached_tokens: 5 } });
    expect(fake.last!.path).toBe('/model/amazon.nova-pro-v1%3A0/converse');
    expect(fake.last!.headers.authorization).toBe('Bearer bedrock-server-key');
    expect(sent()).toEqual({
      messages: [{ role: 'user', content: [{ text: 'Hi' }, { text: 'Still there?' }] }],
      system: [{ text: 'Be brief.' }],
      inferenceConfig: { maxTokens: 30, temperature: 0.4, stopSequences: ['END'] },
    });
    const [record] = await recordsAfter(gateway, before);
    expect(record).toMatchObject({ provider: 'bedrock', model: 'amazon.nova-pro-v1:0', inputTokens: 28, cacheReadTokens: 5, cacheWriteTokens: 2 });
  });

  it('decodes ConverseStream (AWS event stream) into a valid chunk sequence', async () => {
    fake.use(bedrockApi({ content: 'bedrock streams', chunks: 3 }));
    const response = await postRaw(gateway, '/chat/completions', { model: MODEL, messages: [{ role: 'user', content: 'Hi' }], stream: true, stream_options: { include_usage: true } });
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    expect(fake.last!.path).toBe('/model/amazon.nova-pro-v1%3A0/converse-stream');
    const events = sseData(await response.text());
    expect(events.at(-1)).toBe('[DONE]');
    const chunks = events.slice(0, -1).map((data) => JSON.parse(data));
    expect(chunks.map((c) => c.choices[0]?.delta?.content ?? '').join('')).toBe('bedrock streams');
    expect(chunks.at(-1).usage).toMatchObject({ prompt_tokens: 28, completion_tokens: 9 });
  });

  it('runs a tool round trip with runTools: toolUse and toolResult blocks', async () => {
    fake.use(untilToolResult(bedrockApi({ toolUses: [weatherUse] }), bedrockApi({ content: 'Sunny.' }), hasToolResult));
    const runner = client.chat.completions.runTools({
      model: MODEL,
      stream: true,
      messages: [{ role: 'user', content: 'Weather in Lisbon?' }],
      tools: [{ type: 'function', function: { ...weatherTool.function, function: () => 'sunny', parse: JSON.parse } }],
      tool_choice: 'required',
    });
    expect(await runner.finalContent()).toBe('Sunny.');
    expect(fake.received.at(-2)!.json).toMatchObject({
      toolConfig: { tools: [{ toolSpec: { name: 'get_weather', description: 'The weather', inputSchema: { json: weatherParameters } } }], toolChoice: { any: {} } },
    });
    expect(sent().messages).toEqual([
      { role: 'user', content: [{ text: 'Weather in Lisbon?' }] },
      { role: 'assistant', content: [{ toolUse: weatherUse }] },
      { role: 'user', content: [{ toolResult: { toolUseId: 'tooluse_abc', content: [{ text: 'sunny' }] } }] },
    ]);
  });

  it('sends data URL images as bytes and refuses an image URL on a private address', async () => {
    await client.chat.completions.create({
      model: MODEL,
      messages: [{ role: 'user', content: [{ type: 'text', text: 'What?' }, { type: 'image_url', image_url: { url: PNG_DATA_URL } }] }],
    });
    expect(sent().messages[0]!.content[1]).toEqual({ image: { format: 'png', source: { bytes: PNG_BASE64 } } });

    const calls = fake.received.length;
    const error = await client.chat.completions
      .create({ model: MODEL, messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: `${images.url}/cat.png` } }] }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BadRequestError);
    expect((error as BadRequestError).message).toContain('loopback, private or link-local');
    expect(images.received).toHaveLength(0);
    expect(fake.received.length).toBe(calls);
  });

  it('asks for structured output, reasoning effort, and returns reasoning content', async () => {
    fake.use(bedrockApi({ content: '{"n":1}', reasoning: 'Counting.' }));
    const schema = { type: 'object', properties: { n: { type: 'number' } }, required: ['n'] };
    const completion = await client.chat.completions.create({
      model: MODEL,
      messages: [{ role: 'user', content: 'JSON' }],
      response_format: { type: 'json_schema', json_schema: { name: 'count', description: 'A count', schema } },
      reasoning_effort: 'medium',
    });
    expect(JSON.parse(completion.choices[0]!.message.content!)).toEqual({ n: 1 });
    expect((completion.choices[0]!.message as unknown as { reasoning_content: string }).reasoning_content).toBe('Counting.');
    expect(sent().outputConfig).toEqual({
      textFormat: { type: 'json_schema', structure: { jsonSchema: { schema: JSON.stringify(schema), name: 'count', description: 'A count' } } },
      effort: 'medium',
    });
    const refused = await client.chat.completions
      .create({ model: MODEL, messages: [{ role: 'user', content: 'JSON' }], response_format: { type: 'json_object' } })
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(BadRequestError);
  });

  it('keeps an AWS error status and type, and ends a stream with an exception frame in an error event', async () => {
    fake.use(bedrockApi({ failWith: { status: 429, type: 'ThrottlingException', message: 'Too many requests, please wait before trying again.' } }));
    const error = await client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'Hi' }] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitError);
    expect((error as RateLimitError).code).toBe('ThrottlingException');

    fake.use(bedrockApi({ exceptionAfterFrames: { frames: 2, type: 'modelStreamErrorException', message: 'The model stream broke.' } }));
    const raw = await postRaw(gateway, '/chat/completions', { model: MODEL, messages: [{ role: 'user', content: 'Hi' }], stream: true });
    const events = sseData(await raw.text());
    expect(JSON.parse(events.at(-1)!)).toMatchObject({ error: { message: 'Amazon Bedrock: modelStreamErrorException: The model stream broke.' } });
  });
});

describe('the model router to Bedrock: Responses API', () => {
  it('answers plain and streamed Responses and a function call round trip', async () => {
    const response = await client.responses.create({ model: MODEL, input: 'Hi', instructions: 'Be brief.', max_output_tokens: 20 });
    expect(response.output_text).toBe('Hello from the fake Bedrock.');
    expect(sent()).toMatchObject({ system: [{ text: 'Be brief.' }], inferenceConfig: { maxTokens: 20 } });

    fake.use(bedrockApi({ content: 'ab', chunks: 2, stopReason: 'max_tokens' }));
    const raw = await postRaw(gateway, '/responses', { model: MODEL, input: 'Hi', stream: true });
    const names = sseEventNames(await raw.text());
    expect(names.at(-1)).toBe('response.incomplete');
    const final = await client.responses.stream({ model: MODEL, input: 'Hi' }).finalResponse();
    expect(final.status).toBe('incomplete');
    expect(final.incomplete_details).toEqual({ reason: 'max_output_tokens' });

    fake.use(untilToolResult(bedrockApi({ toolUses: [weatherUse] }), bedrockApi({ content: 'Sunny.' }), hasToolResult));
    const tools = [{ type: 'function' as const, name: 'get_weather', parameters: weatherParameters, strict: true }];
    const first = await client.responses.stream({ model: MODEL, input: 'Weather?', tools }).finalResponse();
    const call = first.output.find((item) => item.type === 'function_call')!;
    expect(call).toMatchObject({ call_id: 'tooluse_abc', arguments: '{"city":"Lisbon"}' });
    expect(fake.last!.json).toMatchObject({ toolConfig: { tools: [{ toolSpec: { name: 'get_weather', strict: true } }] } });
    const second = await client.responses.create({
      model: MODEL,
      tools,
      input: [{ role: 'user', content: 'Weather?' }, call, { type: 'function_call_output', call_id: 'tooluse_abc', output: 'sunny' }],
    });
    expect(second.output_text).toBe('Sunny.');
  });
});

describe('the ai SDK through the model router to Bedrock', () => {
  it.each(['chat', 'responses'] as const)('streams text and runs a tool loop over %s', async (api) => {
    const openai = createOpenAI({ apiKey: 'sluice-router-client', baseURL: `${gateway.url}/v1/model-router` });
    const model = api === 'chat' ? openai.chat(MODEL) : openai.responses(MODEL);
    fake.use(bedrockApi({ content: 'nova via ai sdk', chunks: 3 }));
    let text = '';
    for await (const part of streamText({ model, prompt: 'Hi' }).fullStream) {
      if (part.type === 'error') throw part.error;
      if (part.type === 'text-delta') text += part.text;
    }
    expect(text).toBe('nova via ai sdk');

    fake.use(untilToolResult(bedrockApi({ toolUses: [weatherUse] }), bedrockApi({ content: 'Sunny.' }), hasToolResult));
    const result = await generateText({
      model,
      prompt: 'Weather?',
      tools: { get_weather: tool({ inputSchema: jsonSchema<{ city: string }>(weatherParameters as JSONSchema7), execute: async () => 'sunny' }) },
      stopWhen: stepCountIs(3),
    });
    expect(result.text).toBe('Sunny.');
  });
});
