import { createOpenAI } from '@ai-sdk/openai';
import { jsonSchema, streamText, tool, type LanguageModelUsage, type TextStreamPart, type ToolSet } from 'ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeServer } from '../fakes/fake-server.ts';
import { openAiApi, startFakeOpenAiApi } from '../fakes/openai-api.ts';
import { startGateway, type TestGateway } from '../support/gateway.ts';

let fake: FakeServer;
let gateway: TestGateway;
let openai: ReturnType<typeof createOpenAI>;

beforeAll(async () => {
  fake = await startFakeOpenAiApi();
  gateway = await startGateway({ SLUICE_OPENAI_BASE_URL: `${fake.url}/v1`, SLUICE_OPENAI_API_KEY: undefined });
  openai = createOpenAI({ apiKey: 'sk-ai-sdk-key', baseURL: `${gateway.url}/v1/openai` });
});

afterAll(async () => {
  await gateway?.close();
  await fake?.close();
});

const weather = tool({
  description: 'The weather of a city',
  inputSchema: jsonSchema<{ city: string }>({
    type: 'object',
    properties: { city: { type: 'string' } },
    required: ['city'],
    additionalProperties: false,
  }),
});

const toolCall = { id: 'call_ai_1', name: 'weather', arguments: '{"city":"Lisbon"}' };

async function drain(result: { fullStream: AsyncIterable<TextStreamPart<ToolSet>>; usage: PromiseLike<LanguageModelUsage> }) {
  let text = '';
  const calls: Array<{ toolName: string; input: unknown; toolCallId: string }> = [];
  const errors: unknown[] = [];
  for await (const part of result.fullStream) {
    if (part.type === 'text-delta') text += part.text;
    if (part.type === 'tool-call') calls.push({ toolName: part.toolName, input: part.input, toolCallId: part.toolCallId });
    if (part.type === 'error') errors.push(part.error);
  }
  return { text, calls, errors, usage: await result.usage };
}

describe.each([
  ['chat completions', 'chat', '/v1/chat/completions', { inputTokens: 12, outputTokens: 7 }],
  ['Responses', 'responses', '/v1/responses', { inputTokens: 21, outputTokens: 9 }],
] as const)('the ai SDK over %s through Sluice', (_label, api, upstreamPath, tokens) => {
  const model = () => (api === 'chat' ? openai.chat('gpt-4o-mini') : openai.responses('gpt-4o-mini'));

  it('streams text', async () => {
    fake.use(openAiApi({ chat: { content: 'streamed via the ai sdk', chunks: 4 }, responses: { text: 'streamed via the ai sdk', chunks: 4 } }));
    const before = (await gateway.records()).length;
    const { text, errors, usage } = await drain(streamText({ model: model(), prompt: 'Say something' }));
    expect(errors).toEqual([]);
    expect(text).toBe('streamed via the ai sdk');
    expect(usage.inputTokens).toBe(tokens.inputTokens);
    expect(fake.last!.path).toBe(upstreamPath);
    expect(fake.last!.headers.authorization).toBe('Bearer sk-ai-sdk-key');

    const [record] = (await gateway.waitForRecords(before + 1)).slice(before);
    expect(record).toMatchObject({ operation: api, stream: true, outcome: 'success', ...tokens });
  });

  it('streams a tool call', async () => {
    fake.use(openAiApi({ chat: { toolCalls: [toolCall] }, responses: { toolCalls: [toolCall] } }));
    const { calls, errors } = await drain(streamText({ model: model(), prompt: 'Weather in Lisbon?', tools: { weather } }));
    expect(errors).toEqual([]);
    expect(calls).toEqual([{ toolName: 'weather', input: { city: 'Lisbon' }, toolCallId: 'call_ai_1' }]);
    const sent = fake.last!.json as { tools: Array<{ name?: string; function?: { name: string } }> };
    expect(sent.tools[0]!.name ?? sent.tools[0]!.function?.name).toBe('weather');
  });
});
