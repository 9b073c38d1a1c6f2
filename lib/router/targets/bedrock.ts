import { BedrockClient, ListInferenceProfilesCommand, type InferenceProfileSummary } from '@aws-sdk/client-bedrock';
import { bedrockTranslator } from '../translate/bedrock/translator.ts';
import type { ListInput, ListedModel, NativeUpstream, TranslatedTarget } from './types.ts';

const RUNTIME_HOST = /^bedrock-runtime(-fips)?\.([a-z]{2}(?:-[a-z]+)+-\d+)\.(amazonaws\.com(?:\.cn)?)$/;

/** The control-plane endpoint and region that go with a Bedrock Runtime base URL. */
export function bedrockControlPlane(baseUrl: string): { endpoint: string; region: string } {
  const url = new URL(baseUrl);
  const match = RUNTIME_HOST.exec(url.hostname);
  if (match) return { endpoint: `https://bedrock${match[1] ?? ''}.${match[2]}.${match[3]}`, region: match[2]! };
  // Not an AWS host (a proxy or a private endpoint): it is asked as it is.
  return { endpoint: baseUrl, region: 'us-east-1' };
}

/** Every active inference profile of the account and region (all pages), through @aws-sdk/client-bedrock. */
export async function listInferenceProfiles({ baseUrl, apiKey, signal }: ListInput): Promise<ListedModel[]> {
  const { endpoint, region } = bedrockControlPlane(baseUrl);
  const client = new BedrockClient({
    region,
    endpoint,
    maxAttempts: 1,
    ...(apiKey ? { token: { token: apiKey }, authSchemePreference: ['httpBearerAuth'] } : {}),
  });
  const profiles: InferenceProfileSummary[] = [];
  try {
    let nextToken: string | undefined;
    do {
      const page = await client.send(new ListInferenceProfilesCommand({ maxResults: 1000, ...(nextToken ? { nextToken } : {}) }), { abortSignal: signal });
      profiles.push(...(page.inferenceProfileSummaries ?? []));
      nextToken = page.nextToken;
    } while (nextToken);
  } finally {
    client.destroy();
  }
  return profiles
    .filter((profile) => profile.status === 'ACTIVE' && profile.inferenceProfileId)
    .map((profile) => ({
      id: profile.type === 'APPLICATION' && profile.inferenceProfileArn ? profile.inferenceProfileArn : profile.inferenceProfileId!,
      ...(profile.createdAt ? { created: Math.floor(new Date(profile.createdAt).getTime() / 1000) } : {}),
    }));
}

/**
 * Bedrock Runtime (Converse, ConverseStream) with a Bedrock API key as a bearer token:
 * SLUICE_BEDROCK_API_KEY, SLUICE_BEDROCK_BASE_URL (which enables it). This is the whole of the
 * router's knowledge of Bedrock's URL and credential: SigV4 signing with Sluice's own AWS
 * credentials is another NativeUpstream passed to bedrockTarget() (`call` receives the body to sign).
 */
export const bedrockApiKeyUpstream: NativeUpstream = {
  howToEnable: 'Set SLUICE_BEDROCK_BASE_URL to the Bedrock Runtime endpoint (for example https://bedrock-runtime.us-east-1.amazonaws.com) and SLUICE_BEDROCK_API_KEY.',
  baseUrl: (config) => config.providers.bedrock?.baseUrl,
  defaultKey: (config) => config.providers.bedrock?.apiKey,
  keyRequired: () => true,
  call: async ({ baseUrl, apiKey, model, stream }) => ({
    url: `${baseUrl}/model/${encodeURIComponent(model)}/${stream ? 'converse-stream' : 'converse'}`,
    headers: {
      'content-type': 'application/json',
      accept: stream ? 'application/vnd.amazon.eventstream' : 'application/json',
      ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}),
    },
  }),
  listModels: listInferenceProfiles,
};

export function bedrockTarget(upstream: NativeUpstream = bedrockApiKeyUpstream): TranslatedTarget {
  return { kind: 'translated', id: 'bedrock', displayName: 'Amazon Bedrock', translator: bedrockTranslator, ...upstream };
}
