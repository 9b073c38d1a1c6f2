import { describe, expect, it } from 'vitest';
import type { UpstreamKeys } from '../../lib/auth/authenticator.ts';
import { loadConfig } from '../../lib/config/index.ts';
import type { SluiceError } from '../../lib/errors/sluice-error.ts';
import { routerCredential } from '../../lib/router/credentials.ts';
import { unfetchedImages } from '../../lib/router/images.ts';
import type { RouterRequest } from '../../lib/router/neutral.ts';
import { readChatRequest } from '../../lib/router/openai/chat-request.ts';
import { readResponsesRequest } from '../../lib/router/openai/responses-request.ts';
import { routerTargets } from '../../lib/router/targets/index.ts';
import { anthropicRequest, thinksAdaptively } from '../../lib/router/translate/anthropic/request.ts';
import { bedrockRequest } from '../../lib/router/translate/bedrock/request.ts';
import { cohereRequest } from '../../lib/router/translate/cohere/request.ts';
import { geminiRequest } from '../../lib/router/translate/gemini/request.ts';
import { geminiToolCallId, readGeminiToolCallId } from '../../lib/router/translate/gemini/tool-call-id.ts';

const context = (model: string, providerName = 'Provider') => ({ model, providerName, images: unfetchedImages });
const base: RouterRequest = { system: [], messages: [], tools: [], stream: false };
const toolLoop: RouterRequest = {
  ...base,
  messages: [
    { role: 'user', content: [{ type: 'text', text: 'Weather?' }] },
    { role: 'assistant', text: '', toolCalls: [{ id: 'c1', name: 'w', arguments: '{"city":"Lisbon"}' }, { id: 'c2', name: 'w', arguments: '{"city":"Porto"}' }] },
    { role: 'tool', toolCallId: 'c1', content: 'sunny' },
    { role: 'tool', toolCallId: 'c2', content: '{"sky":"grey"}' },
  ],
  tools: [{ name: 'w', parameters: { type: 'object' } }],
};

describe('reading OpenAI requests', () => {
  it('reads a chat body into the neutral request, system and developer messages together', () => {
    const { request, includeUsage } = readChatRequest(
      {
        model: 'a:b',
        messages: [
          { role: 'developer', content: [{ type: 'text', text: 'Dev.' }] },
          { role: 'user', content: 'Hi', name: 'ann' },
          { role: 'system', content: 'Sys.' },
        ],
        max_tokens: 5,
        max_completion_tokens: 9,
        stream: true,
        stream_options: { include_usage: true },
        presence_penalty: 0,
        user: 'u-1',
        metadata: { a: 'b' },
      },
      'P',
    );
    expect(request).toMatchObject({ system: ['Dev.', 'Sys.'], maxTokens: 9, stream: true, presencePenalty: undefined });
    expect(request.messages).toEqual([{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }]);
    expect(includeUsage).toBe(true);
  });

  it('refuses unknown fields, legacy functions and wrong types with the field named', () => {
    const refuse = (json: Record<string, unknown>) => {
      try {
        readChatRequest({ model: 'a:b', messages: [], ...json }, 'P');
      } catch (error) {
        return (error as SluiceError).param;
      }
      return undefined;
    };
    expect(refuse({ functions: [{ name: 'f' }] })).toBe('functions');
    expect(refuse({ verbosity: 'low' })).toBe('verbosity');
    expect(refuse({ temperature: 'hot' })).toBe('temperature');
    expect(refuse({ messages: [{ role: 'function', name: 'f', content: 'x' }] })).toBe('messages[0]');
    expect(refuse({ messages: [{ role: 'user', content: [{ type: 'file', file: {} }] }] })).toBe('messages[0].content[0]');
    expect(refuse({ messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'ftp://x/y.png' } }] }] })).toBe('messages[0].content[0].image_url.url');
    expect(refuse({ tools: [{ type: 'custom', custom: { name: 'x' } }] })).toBe('tools[0]');
    expect(refuse({ reasoning_effort: 'extreme' })).toBe('reasoning_effort');
    expect(refuse({ n: 1, logprobs: false, top_logprobs: 0, modalities: ['text'], unknown_null: null })).toBeUndefined();
  });

  it('reads Responses input items: function calls join the assistant turn, reasoning items are the router’s own', () => {
    const request = readResponsesRequest(
      {
        model: 'a:b',
        instructions: 'Be kind.',
        input: [
          { role: 'developer', content: 'Dev.' },
          { role: 'user', content: [{ type: 'input_text', text: 'Hi' }] },
          { type: 'reasoning', id: 'rs_1', summary: [] },
          { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'Calling.' }] },
          { type: 'function_call', call_id: 'c1', name: 'f', arguments: '{}' },
          { type: 'function_call_output', call_id: 'c1', output: 'done' },
        ],
        text: { format: { type: 'json_object' } },
        reasoning: { effort: 'minimal', summary: 'auto' },
        include: ['reasoning.encrypted_content'],
        store: true,
      },
      'P',
    );
    expect(request).toMatchObject({ system: ['Be kind.', 'Dev.'], format: { type: 'json_object' }, reasoningEffort: 'minimal' });
    expect(request.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'Hi' }] },
      { role: 'assistant', text: 'Calling.', toolCalls: [{ id: 'c1', name: 'f', arguments: '{}' }] },
      { role: 'tool', toolCallId: 'c1', content: 'done' },
    ]);
    expect(() => readResponsesRequest({ model: 'a:b', input: 'x', tools: [{ type: 'web_search' }] }, 'P')).toThrow(/web_search/);
    expect(() => readResponsesRequest({ model: 'a:b', input: 'x', include: ['message.output_text.logprobs'] }, 'P')).toThrow(/include/);
    expect(() => readResponsesRequest({ model: 'a:b' }, 'P')).toThrow(/input/);
  });
});

describe('translating for Anthropic', () => {
  it('groups tool results into one user turn, results first, and keeps parallel calls together', async () => {
    const body = await anthropicRequest(
      { ...toolLoop, messages: [...toolLoop.messages, { role: 'user', content: [{ type: 'text', text: 'And?' }] }] },
      context('claude-sonnet-4-5'),
    );
    expect(body.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'Weather?' }] },
      {
        role: 'assistant',
        content: [
          { type: 'tool_use', id: 'c1', name: 'w', input: { city: 'Lisbon' } },
          { type: 'tool_use', id: 'c2', name: 'w', input: { city: 'Porto' } },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'c1', content: 'sunny' },
          { type: 'tool_result', tool_use_id: 'c2', content: '{"sky":"grey"}' },
          { type: 'text', text: 'And?' },
        ],
      },
    ]);
  });

  it('runs a turn that continues a tool loop without thinking (its signed thinking cannot be handed back)', async () => {
    const body = await anthropicRequest({ ...toolLoop, reasoningEffort: 'high' }, context('claude-sonnet-4-5'));
    expect(body.thinking).toBeUndefined();
    expect(body.max_tokens).toBe(8192);
  });

  it('keeps the thinking budget below max tokens, and refuses a limit too small to think in', async () => {
    const request: RouterRequest = { ...base, messages: [{ role: 'user', content: [{ type: 'text', text: 'x' }] }], reasoningEffort: 'high', maxTokens: 4000 };
    expect(await anthropicRequest(request, context('claude-sonnet-4-5'))).toMatchObject({ thinking: { type: 'enabled', budget_tokens: 3999 }, max_tokens: 4000 });
    await expect(anthropicRequest({ ...request, maxTokens: 500 }, context('claude-sonnet-4-5'))).rejects.toThrow(/at least 1025/);
  });

  it('knows which Claude models think adaptively', () => {
    for (const model of ['claude-opus-4-6', 'claude-sonnet-4-6-20260101', 'claude-opus-4-7', 'claude-sonnet-5', 'us.anthropic.claude-opus-4-7-v1:0']) expect(thinksAdaptively(model), model).toBe(true);
    for (const model of ['claude-sonnet-4-5', 'claude-opus-4-1-20250805', 'claude-3-7-sonnet-20250219', 'claude-sonnet-4-20250514', 'claude-haiku-4-5']) {
      expect(thinksAdaptively(model), model).toBe(false);
    }
  });

  it('refuses tool call arguments that are not a JSON object', async () => {
    const bad: RouterRequest = { ...base, messages: [{ role: 'assistant', text: '', toolCalls: [{ id: 'c', name: 'w', arguments: 'not json' }] }] };
    await expect(anthropicRequest(bad, context('claude'))).rejects.toThrow(/not a JSON object/);
  });
});

describe('translating for Gemini, Bedrock and Cohere', () => {
  it('Gemini: function responses as objects, names found through the call ids, unknown signatures skipped on Gemini 3', async () => {
    const body = await geminiRequest(toolLoop, context('gemini-3-pro-preview'));
    expect(body.contents).toEqual([
      { role: 'user', parts: [{ text: 'Weather?' }] },
      {
        role: 'model',
        parts: [
          { functionCall: { id: 'c1', name: 'w', args: { city: 'Lisbon' } }, thoughtSignature: 'skip_thought_signature_validator' },
          { functionCall: { id: 'c2', name: 'w', args: { city: 'Porto' } }, thoughtSignature: 'skip_thought_signature_validator' },
        ],
      },
      {
        role: 'user',
        parts: [
          { functionResponse: { id: 'c1', name: 'w', response: { result: 'sunny' } } },
          { functionResponse: { id: 'c2', name: 'w', response: { sky: 'grey' } } },
        ],
      },
    ]);
    const older = await geminiRequest(toolLoop, context('gemini-2.5-flash'));
    expect(JSON.stringify(older)).not.toContain('thoughtSignature');
  });

  it('Gemini: a thought signature rides in the tool call id and comes back out', () => {
    const id = geminiToolCallId('fc-1', 'c2lnbmF0dXJl');
    expect(readGeminiToolCallId(id)).toEqual({ id: 'fc-1', signature: 'c2lnbmF0dXJl' });
    expect(readGeminiToolCallId('call_plain')).toEqual({ id: 'call_plain' });
    expect(geminiToolCallId(undefined, undefined)).toMatch(/^call_[A-Za-z0-9]{24}$/);
  });

  it('Bedrock: alternating turns, toolResult blocks, tool_choice none only without tool history', async () => {
    const body = await bedrockRequest(toolLoop, context('amazon.nova-pro-v1:0'));
    expect(body.messages).toEqual([
      { role: 'user', content: [{ text: 'Weather?' }] },
      {
        role: 'assistant',
        content: [{ toolUse: { toolUseId: 'c1', name: 'w', input: { city: 'Lisbon' } } }, { toolUse: { toolUseId: 'c2', name: 'w', input: { city: 'Porto' } } }],
      },
      {
        role: 'user',
        content: [{ toolResult: { toolUseId: 'c1', content: [{ text: 'sunny' }] } }, { toolResult: { toolUseId: 'c2', content: [{ text: '{"sky":"grey"}' }] } }],
      },
    ]);
    const fresh: RouterRequest = { ...base, messages: [toolLoop.messages[0]!], tools: toolLoop.tools, toolChoice: { type: 'none' } };
    expect((await bedrockRequest(fresh, context('m'))).toolConfig).toBeUndefined();
    await expect(bedrockRequest({ ...toolLoop, toolChoice: { type: 'none' } }, context('m'))).rejects.toThrow(/tool_choice 'none'/);
    await expect(bedrockRequest({ ...base, seed: 1 }, context('m'))).rejects.toThrow(/seed/);
  });

  it('Bedrock: refuses an image type Converse does not take', async () => {
    const gif: RouterRequest = { ...base, messages: [{ role: 'user', content: [{ type: 'image', image: { kind: 'data', mediaType: 'image/bmp', base64: 'Qk0=' } }] }] };
    await expect(bedrockRequest(gif, context('m', 'Amazon Bedrock'))).rejects.toThrow(/image\/bmp/);
  });

  it('Cohere: system messages first, tool messages as they are, a strict tool set as strict_tools', async () => {
    const body = await cohereRequest(
      { ...toolLoop, system: ['Sys.'], tools: [{ name: 'w', parameters: { type: 'object' }, strict: true }], toolChoice: { type: 'none' } },
      context('command-a'),
    );
    expect(body.messages).toEqual([
      { role: 'system', content: 'Sys.' },
      { role: 'user', content: 'Weather?' },
      {
        role: 'assistant',
        tool_calls: [
          { id: 'c1', type: 'function', function: { name: 'w', arguments: '{"city":"Lisbon"}' } },
          { id: 'c2', type: 'function', function: { name: 'w', arguments: '{"city":"Porto"}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'c1', content: 'sunny' },
      { role: 'tool', tool_call_id: 'c2', content: '{"sky":"grey"}' },
    ]);
    expect(body).toMatchObject({ strict_tools: true, tool_choice: 'NONE' });
  });
});

describe('the credential of each provider the router calls', () => {
  const targets = routerTargets();
  const config = loadConfig({ SLUICE_OPENAI_API_KEY: 'sk-server', SLUICE_ANTHROPIC_API_KEY: 'sk-ant-server' });
  /** As the authenticator answers without a Sluice credential, on a profile that allows server keys. */
  const serverKeys: UpstreamKeys = { keyFor: async ({ defaultKey }) => (defaultKey ? { apiKey: defaultKey, credential: { kind: 'default-key' } } : undefined) };
  const credential = async (id: string, clientKey: string | undefined, providers: string[], keys = serverKeys) =>
    (await routerCredential({ target: targets.get(id)!, config, keys, clientKey, providers: new Set(providers) })).apiKey;

  it('uses the server key when there is one, whatever the client sent', async () => {
    expect(await credential('openai', 'sk-client', ['openai'])).toBe('sk-server');
    expect(await credential('anthropic', 'sk-client', ['anthropic'])).toBe('sk-ant-server');
  });

  it("passes the client's key only to an OpenAI-style provider that is the request's only provider", async () => {
    expect(await credential('groq', 'gsk-client', ['groq'])).toBe('gsk-client');
    await expect(credential('groq', 'gsk-client', ['groq', 'openai'])).rejects.toMatchObject({ status: 401 });
    await expect(credential('gemini', 'AIza-client', ['gemini'])).rejects.toThrow(/never passed on to Gemini/);
  });

  it('needs no key for a provider that takes none', async () => {
    expect(await credential('ollama', undefined, ['ollama'])).toBeUndefined();
  });

  it("uses the key a credential's mapping chooses, with that key's own base URL", async () => {
    const mapped: UpstreamKeys = { keyFor: async ({ id }) => ({ apiKey: `mapped-${id}`, baseUrl: 'https://gateway.example/v1' }) };
    const chosen = await routerCredential({ target: targets.get('openai')!, config, keys: mapped, clientKey: undefined, providers: new Set(['openai']) });
    expect(chosen).toEqual({ apiKey: 'mapped-openai', baseUrl: 'https://gateway.example/v1' });
  });
});
