import type { Config } from '../config/index.ts';
import { openAiProvider } from '../providers/openai/provider.ts';
import { openAiCompatibleProviders } from '../providers/openai-compatible/providers.ts';
import { readBody, type UpstreamClient } from '../upstream/upstream-client.ts';
import type { QuarantinedCompletion } from './dual-llm.ts';

/** The providers a quarantined model can be reached through: OpenAI's and the OpenAI-compatible ones. */
const quarantineProviders = [openAiProvider, ...openAiCompatibleProviders];

/**
 * The quarantined model is reached through an OpenAI-style provider's /chat/completions with the
 * server's key for that provider (SLUICE_<P>_API_KEY): the client's key is never reused for it.
 */
export function openAiStyleQuarantinedCompletion(upstream: UpstreamClient, config: Config): QuarantinedCompletion {
  return async (settings, messages, responseFormat) => {
    const provider = quarantineProviders.find((candidate) => candidate.id === settings.provider);
    if (!provider) throw new Error(`the dual-LLM provider ${settings.provider} is not an OpenAI-style provider`);
    const baseUrl = provider.baseUrl(config);
    const key = provider.defaultKey(config);
    if (!baseUrl || !key) throw new Error(`the dual-LLM provider ${settings.provider} has no base URL or server key`);
    const response = await upstream.send({
      url: `${baseUrl}/chat/completions`,
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}`, 'accept-encoding': 'identity' },
      body: Buffer.from(JSON.stringify({ model: settings.model, messages, response_format: responseFormat, temperature: 0 })),
    });
    const body = await readBody(response, 1024 * 1024);
    if (response.status >= 400) throw new Error(`the quarantined model answered ${response.status}`);
    const json = JSON.parse(body.toString('utf8')) as { choices?: Array<{ message?: { content?: string } }> };
    return json.choices?.[0]?.message?.content ?? '';
  };
}
