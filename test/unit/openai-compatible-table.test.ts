import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../lib/config/index.ts';
import { headersFromSettings } from '../../lib/providers/openai-compatible/setting-headers.ts';
import { proxyFunctions } from '../../lib/function-catalog.ts';
import { openAiCompatibleIds, openAiCompatibleTable } from '../../lib/providers/openai-compatible/table.ts';
import { providers, providersById } from '../../lib/providers/registry.ts';
import { MODEL_ROUTER_ID } from '../../lib/router/model-router.ts';

const EXPECTED_IDS = [
  'groq',
  'mistral',
  'xai',
  'cerebras',
  'deepseek',
  'openrouter',
  'perplexity',
  'vllm',
  'ollama',
  'zhipuai',
  'minimax',
  'together',
  'fireworks',
];

describe('the OpenAI-compatible provider table', () => {
  it('has the thirteen providers, each registered once with the OpenAI dialect and a chat endpoint', () => {
    expect([...openAiCompatibleIds].sort()).toEqual([...EXPECTED_IDS].sort());
    for (const provider of providersById(openAiCompatibleIds)) {
      expect(provider.endpoints.map((e) => e.operation)).toContain('chat');
      expect(provider.dialect.renderError).toBeTypeOf('function');
    }
    const ids = providers.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('reads SLUICE_<ID>_BASE_URL and SLUICE_<ID>_API_KEY for each entry', () => {
    const env: Record<string, string> = {};
    for (const { id } of openAiCompatibleTable) {
      env[`SLUICE_${id.toUpperCase()}_BASE_URL`] = `http://${id}.internal/v1/`;
      env[`SLUICE_${id.toUpperCase()}_API_KEY`] = `key-${id}`;
    }
    const config = loadConfig(env);
    for (const provider of providersById(openAiCompatibleIds)) {
      expect(provider.baseUrl(config)).toBe(`http://${provider.id}.internal/v1`);
      expect(provider.defaultKey(config)).toBe(`key-${provider.id}`);
    }
  });

  it('uses the public endpoints by default; Ollama is on at localhost:11434, vLLM is off', () => {
    const config = loadConfig({});
    const byId = new Map(providersById(openAiCompatibleIds).map((p) => [p.id, p]));
    expect(byId.get('ollama')!.baseUrl(config)).toBe('http://localhost:11434/v1');
    expect(byId.get('vllm')!.baseUrl(config)).toBeUndefined();
    expect(byId.get('vllm')!.howToEnable).toContain('SLUICE_VLLM_BASE_URL');
    expect(byId.get('groq')!.baseUrl(config)).toBe('https://api.groq.com/openai/v1');
    expect(byId.get('openrouter')!.baseUrl(config)).toBe('https://openrouter.ai/api/v1');
    expect(byId.get('zhipuai')!.baseUrl(config)).toBe('https://api.z.ai/api/paas/v4');
    for (const id of EXPECTED_IDS.filter((i) => i !== 'vllm')) expect(byId.get(id)!.baseUrl(config)).toMatch(/^https?:\/\//);
  });

  it('needs no key for vLLM and Ollama only', () => {
    const config = loadConfig({});
    const keyless = providersById(openAiCompatibleIds)
      .filter((p) => !p.keyRequired(config))
      .map((p) => p.id);
    expect(keyless.sort()).toEqual(['ollama', 'vllm']);
  });

  it('gives OpenRouter embeddings besides chat', () => {
    const [openrouter, groq] = providersById(['openrouter', 'groq']);
    expect(openrouter!.endpoints.map((e) => e.operation)).toEqual(['chat', 'embeddings']);
    expect(groq!.endpoints.map((e) => e.operation)).toEqual(['chat']);
  });
});

describe('headers from settings', () => {
  const openRouterHeaders = headersFromSettings({ 'http-referer': 'SLUICE_OPENROUTER_REFERER', 'x-title': 'SLUICE_OPENROUTER_TITLE' });

  it('sends the headers whose variables are set', () => {
    expect(openRouterHeaders(loadConfig({}))).toEqual({});
    expect(openRouterHeaders(loadConfig({ SLUICE_OPENROUTER_TITLE: 'My App' }))).toEqual({ 'x-title': 'My App' });
  });

  it('refuses a value that cannot be an HTTP header, naming the variable', () => {
    const config = loadConfig({ SLUICE_OPENROUTER_TITLE: 'two\nlines' });
    expect(() => openRouterHeaders(config)).toThrow(ConfigError);
    expect(() => openRouterHeaders(config)).toThrow(/SLUICE_OPENROUTER_TITLE/);
  });
});

describe('the function catalog', () => {
  it('serves every registered provider from exactly one function', () => {
    const served = proxyFunctions.flatMap((fn) => fn.routes);
    // Besides the providers, the model router's route (it is no provider of its own).
    expect(served.sort()).toEqual([...providers.map((p) => p.id), MODEL_ROUTER_ID].sort());
    expect(proxyFunctions.find((fn) => fn.name === 'openai-compatible')!.routes).toEqual(openAiCompatibleIds);
    expect(proxyFunctions.find((fn) => fn.name === 'azure')!.routes).toEqual(['azure']);
  });
});
