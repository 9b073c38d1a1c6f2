/** Region prefixes of cross-region (system-defined) inference profile ids: `us.anthropic.…`. */
const GEO_PREFIXES = new Set(['us', 'us-gov', 'eu', 'apac', 'ap', 'jp', 'au', 'ca', 'global']);

/**
 * The model id Sluice calls. With SLUICE_BEDROCK_INFERENCE_PROFILE_PREFIX set (say `us`), a bare
 * foundation-model id (`anthropic.claude-…`) becomes the cross-region inference profile
 * `us.anthropic.claude-…`, which models such as Claude require. Ids that already name a profile
 * region, ARNs and application inference profile ids are used as given.
 */
export function upstreamModelId(modelId: string, inferenceProfilePrefix: string | undefined): string {
  if (!inferenceProfilePrefix || modelId.startsWith('arn:')) return modelId;
  const segments = modelId.split('.');
  if (segments.length < 2 || GEO_PREFIXES.has(segments[0]!.toLowerCase())) return modelId;
  return `${inferenceProfilePrefix}.${modelId}`;
}

/** Splits a system-defined inference profile id into its region prefix and provider. */
export function inferenceProfileParts(profileId: string): { region: string; provider: string } | undefined {
  const segments = profileId.split('.');
  if (segments.length < 3 || segments[0] === '' || segments[1] === '') return undefined;
  return { region: segments[0]!.toLowerCase(), provider: segments[1]!.toLowerCase() };
}
