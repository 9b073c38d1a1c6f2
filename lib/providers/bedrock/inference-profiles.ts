import type { BedrockClient, InferenceProfileSummary } from '@aws-sdk/client-bedrock';
import { inferenceProfileParts } from './model-id.ts';

export interface ProfileFilters {
  allowedProviders: readonly string[];
  allowedInferenceRegions: readonly string[];
}

/** One entry of the OpenAI-style model list. */
export interface ModelEntry {
  id: string;
  object: 'model';
  created: number;
  owned_by: string;
  name?: string;
}

/**
 * Keeps the active profiles the filters allow. Each filter matches a segment of the profile id
 * (`us.anthropic.claude-sonnet-4-6`: region prefix `us`, provider `anthropic`); an empty filter
 * allows everything. An application inference profile's id has no such segments, so it is listed
 * only while no filter is set.
 */
export function allowedProfiles(
  profiles: readonly InferenceProfileSummary[],
  filters: ProfileFilters,
): InferenceProfileSummary[] {
  const filtering = filters.allowedProviders.length > 0 || filters.allowedInferenceRegions.length > 0;
  return profiles.filter((profile) => {
    if (profile.status !== 'ACTIVE' || !profile.inferenceProfileId) return false;
    if (!filtering) return true;
    const parts = inferenceProfileParts(profile.inferenceProfileId);
    if (!parts || profile.type === 'APPLICATION') return false;
    if (filters.allowedProviders.length > 0 && !filters.allowedProviders.includes(parts.provider)) return false;
    if (filters.allowedInferenceRegions.length > 0 && !filters.allowedInferenceRegions.includes(parts.region)) return false;
    return true;
  });
}

/** A profile as a model a client can call: system profiles by id, application profiles by ARN. */
export function modelEntry(profile: InferenceProfileSummary): ModelEntry {
  const id =
    profile.type === 'APPLICATION' && profile.inferenceProfileArn ? profile.inferenceProfileArn : profile.inferenceProfileId!;
  const parts = inferenceProfileParts(profile.inferenceProfileId!);
  const created = profile.createdAt ? Math.floor(new Date(profile.createdAt).getTime() / 1000) : 0;
  return {
    id,
    object: 'model',
    created: Number.isFinite(created) ? created : 0,
    owned_by: parts?.provider ?? 'bedrock',
    ...(profile.inferenceProfileName ? { name: profile.inferenceProfileName } : {}),
  };
}

/** Every inference profile of the account and region, all pages. */
export async function listInferenceProfiles(
  client: BedrockClient,
  signal?: AbortSignal,
): Promise<InferenceProfileSummary[]> {
  // Loaded on first use: only GET /models needs the Bedrock control-plane client.
  const { ListInferenceProfilesCommand } = await import('@aws-sdk/client-bedrock');
  const profiles: InferenceProfileSummary[] = [];
  let nextToken: string | undefined;
  do {
    // A loop rather than paginateListInferenceProfiles: the paginator takes no abort signal.
    const page = await client.send(
      new ListInferenceProfilesCommand({ maxResults: 1000, ...(nextToken ? { nextToken } : {}) }),
      signal ? { abortSignal: signal } : {},
    );
    profiles.push(...(page.inferenceProfileSummaries ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return profiles;
}

/** The filtered profiles as an OpenAI-style model list, sorted by id. */
export function modelList(profiles: readonly InferenceProfileSummary[], filters: ProfileFilters) {
  const data = allowedProfiles(profiles, filters)
    .map(modelEntry)
    .sort((a, b) => a.id.localeCompare(b.id));
  return { object: 'list' as const, data };
}
