import { anthropicTarget } from './anthropic.ts';
import { bedrockTarget } from './bedrock.ts';
import { cohereTarget } from './cohere.ts';
import { geminiTarget } from './gemini.ts';
import { openAiStyleTargets } from './openai-style.ts';
import type { NativeUpstream, RouterTarget } from './types.ts';

export interface RouterTargetOptions {
  /** How Gemini is reached (default: the Gemini API with SLUICE_GEMINI_API_KEY). */
  gemini?: NativeUpstream;
  /** How Bedrock is reached (default: a Bedrock API key as a bearer token). */
  bedrock?: NativeUpstream;
}

/** Every provider the router reaches, by the prefix of its model ids. */
export function routerTargets(options: RouterTargetOptions = {}): ReadonlyMap<string, RouterTarget> {
  const targets: RouterTarget[] = [
    ...openAiStyleTargets(),
    anthropicTarget(),
    geminiTarget(options.gemini),
    cohereTarget(),
    bedrockTarget(options.bedrock),
  ];
  return new Map(targets.map((target) => [target.id, target]));
}
