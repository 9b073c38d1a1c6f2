import { SluiceError } from '../../errors/sluice-error.ts';
import { bedrockProvider } from '../../providers/bedrock/provider.ts';
import { bedrockSettings } from '../../providers/bedrock/settings.ts';
import type { ProviderAdapter } from '../../providers/types.ts';
import { readBody } from '../../upstream/upstream-client.ts';
import { bedrockTranslator } from '../translate/bedrock/translator.ts';
import { adapterAccess, prepareThrough } from './synthetic-request.ts';
import type { ListedModel, NativeUpstream, TranslatedTarget } from './types.ts';

const MAX_LIST_BYTES = 8 * 1024 * 1024;

/**
 * Bedrock through its own adapter's Converse endpoints and model list, so the router uses the same
 * configuration and credentials as the Bedrock route: a Bedrock API key as a bearer token
 * (SLUICE_BEDROCK_API_KEY, or the key a credential maps Bedrock to), or, with
 * SLUICE_BEDROCK_IAM_AUTH_ENABLED=true and no key, Sluice's own SigV4 signature over the
 * translated body (region from SLUICE_BEDROCK_REGION or the base URL); bare model ids get the
 * SLUICE_BEDROCK_INFERENCE_PROFILE_PREFIX; `/models` lists the inference profiles the adapter
 * lists (SLUICE_BEDROCK_ALLOWED_PROVIDERS, SLUICE_BEDROCK_ALLOWED_INFERENCE_REGIONS).
 */
export function bedrockUpstream(adapter: ProviderAdapter = bedrockProvider): NativeUpstream {
  const converse = adapter.endpoints.find((endpoint) => endpoint.operation === 'chat' && endpoint.match('/model/m/converse'))!;
  const converseStream = adapter.endpoints.find((endpoint) => endpoint.operation === 'chat' && endpoint.match('/model/m/converse-stream'))!;
  const models = adapter.endpoints.find((endpoint) => endpoint.operation === 'models')!;
  return {
    ...adapterAccess(adapter),
    howToEnable: `${adapter.howToEnable} Then set SLUICE_BEDROCK_API_KEY, or SLUICE_BEDROCK_IAM_AUTH_ENABLED=true.`,
    // With IAM auth Sluice signs calls that bring no key itself.
    keyRequired: (config) => !bedrockSettings(config).iamAuth,
    async call(input) {
      const { model, stream } = input;
      const endpoint = stream ? converseStream : converse;
      const path = `/model/${encodeURIComponent(model)}/${stream ? 'converse-stream' : 'converse'}`;
      const prepared = await prepareThrough(
        endpoint,
        input,
        { method: 'POST', path, headers: { accept: stream ? 'application/vnd.amazon.eventstream' : 'application/json' }, body: input.body },
        endpoint.match(path)!,
      );
      return { url: prepared.url, headers: prepared.headers };
    },
    async listModels(input): Promise<ListedModel[]> {
      const { upstream, signal } = input;
      const call = await prepareThrough(models, input, { method: 'GET', path: '/models', headers: {} });
      const response = await (call.send ? call.send(signal) : upstream.send(call, signal));
      const text = (await readBody(response, MAX_LIST_BYTES)).toString('utf8');
      if (response.status !== 200) {
        throw new SluiceError('upstream_error', `listing inference profiles answered HTTP ${response.status}`, { code: 'model_list_failed' });
      }
      const data = (JSON.parse(text) as { data?: Array<{ id?: unknown; created?: unknown }> }).data ?? [];
      return data
        .filter((m) => typeof m.id === 'string')
        .map((m) => ({ id: m.id as string, ...(typeof m.created === 'number' && m.created > 0 ? { created: m.created } : {}) }));
    },
  };
}

export function bedrockTarget(upstream: NativeUpstream = bedrockUpstream()): TranslatedTarget {
  return { kind: 'translated', id: 'bedrock', displayName: 'Amazon Bedrock', translator: bedrockTranslator, ...upstream };
}
