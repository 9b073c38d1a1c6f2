import { BedrockClient, ListInferenceProfilesCommand, type InferenceProfileSummary } from '@aws-sdk/client-bedrock';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../lib/config/index.ts';
import { allowedProfiles, listInferenceProfiles, modelList } from '../../lib/providers/bedrock/inference-profiles.ts';
import { bedrockSettings } from '../../lib/providers/bedrock/settings.ts';

const bedrock = mockClient(BedrockClient);
afterEach(() => bedrock.reset());

function profile(id: string, extra: Partial<InferenceProfileSummary> = {}): InferenceProfileSummary {
  return {
    inferenceProfileId: id,
    inferenceProfileName: id,
    inferenceProfileArn: `arn:aws:bedrock:us-east-1:123456789012:inference-profile/${id}`,
    status: 'ACTIVE',
    type: 'SYSTEM_DEFINED',
    models: [],
    ...extra,
  };
}

const PROFILES = [
  profile('us.anthropic.claude-sonnet-4-6'),
  profile('eu.anthropic.claude-sonnet-4-6'),
  profile('global.anthropic.claude-opus-4-6-v1'),
  profile('us.amazon.nova-pro-v1:0'),
  profile('apac.amazon.nova-lite-v1:0'),
  profile('us.meta.llama3-2-1b-instruct-v1:0'),
  profile('us.deepseek.r1-v1:0', { status: 'INACTIVE' as InferenceProfileSummary['status'] }),
  profile('x7k2p9q4r1', {
    type: 'APPLICATION',
    inferenceProfileArn: 'arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/x7k2p9q4r1',
  }),
];

function filtersFrom(env: Record<string, string>) {
  return bedrockSettings(loadConfig(env));
}

const ids = (profiles: InferenceProfileSummary[]) => profiles.map((p) => p.inferenceProfileId);

describe('ListInferenceProfiles, read through @aws-sdk/client-bedrock', () => {
  it('follows nextToken through every page', async () => {
    bedrock
      .on(ListInferenceProfilesCommand, { nextToken: undefined })
      .resolves({ inferenceProfileSummaries: PROFILES.slice(0, 3), nextToken: 'page-2' })
      .on(ListInferenceProfilesCommand, { nextToken: 'page-2' })
      .resolves({ inferenceProfileSummaries: PROFILES.slice(3) });
    const client = new BedrockClient({ region: 'us-east-1' });
    const listed = await listInferenceProfiles(client);
    expect(ids(listed)).toEqual(ids(PROFILES));
    expect(bedrock.commandCalls(ListInferenceProfilesCommand)).toHaveLength(2);
    expect(bedrock.commandCalls(ListInferenceProfilesCommand)[0]!.args[0].input).toMatchObject({ maxResults: 1000 });
  });
});

describe('SLUICE_BEDROCK_ALLOWED_PROVIDERS and SLUICE_BEDROCK_ALLOWED_INFERENCE_REGIONS', () => {
  it('return every active profile, application ones included, when both are empty', () => {
    expect(ids(allowedProfiles(PROFILES, filtersFrom({})))).toEqual([
      'us.anthropic.claude-sonnet-4-6',
      'eu.anthropic.claude-sonnet-4-6',
      'global.anthropic.claude-opus-4-6-v1',
      'us.amazon.nova-pro-v1:0',
      'apac.amazon.nova-lite-v1:0',
      'us.meta.llama3-2-1b-instruct-v1:0',
      'x7k2p9q4r1',
    ]);
  });

  it('match the provider segment after the region prefix', () => {
    expect(ids(allowedProfiles(PROFILES, filtersFrom({ SLUICE_BEDROCK_ALLOWED_PROVIDERS: 'anthropic' })))).toEqual([
      'us.anthropic.claude-sonnet-4-6',
      'eu.anthropic.claude-sonnet-4-6',
      'global.anthropic.claude-opus-4-6-v1',
    ]);
    expect(ids(allowedProfiles(PROFILES, filtersFrom({ SLUICE_BEDROCK_ALLOWED_PROVIDERS: ' Anthropic , amazon ' })))).toHaveLength(5);
  });

  it('match the region prefix', () => {
    expect(ids(allowedProfiles(PROFILES, filtersFrom({ SLUICE_BEDROCK_ALLOWED_INFERENCE_REGIONS: 'us,global' })))).toEqual([
      'us.anthropic.claude-sonnet-4-6',
      'global.anthropic.claude-opus-4-6-v1',
      'us.amazon.nova-pro-v1:0',
      'us.meta.llama3-2-1b-instruct-v1:0',
    ]);
    expect(ids(allowedProfiles(PROFILES, filtersFrom({ SLUICE_BEDROCK_ALLOWED_INFERENCE_REGIONS: 'eu' })))).toEqual([
      'eu.anthropic.claude-sonnet-4-6',
    ]);
  });

  it('combine: a profile must pass both', () => {
    const filters = filtersFrom({ SLUICE_BEDROCK_ALLOWED_PROVIDERS: 'amazon', SLUICE_BEDROCK_ALLOWED_INFERENCE_REGIONS: 'us' });
    expect(ids(allowedProfiles(PROFILES, filters))).toEqual(['us.amazon.nova-pro-v1:0']);
  });

  it('answer as an OpenAI-style model list sorted by id, application profiles by ARN', () => {
    const list = modelList(PROFILES, filtersFrom({}));
    expect(list.object).toBe('list');
    expect(list.data[0]).toEqual({
      id: 'apac.amazon.nova-lite-v1:0',
      object: 'model',
      created: 0,
      owned_by: 'amazon',
      name: 'apac.amazon.nova-lite-v1:0',
    });
    expect(list.data.map((m) => m.id)).toContain(
      'arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/x7k2p9q4r1',
    );
  });
});
