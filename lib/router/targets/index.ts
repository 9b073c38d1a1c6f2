import { anthropicTarget } from './anthropic.ts';
import { bedrockTarget } from './bedrock.ts';
import { cohereTarget } from './cohere.ts';
import { geminiTarget } from './gemini.ts';
import { openAiStyleTargets } from './openai-style.ts';
import type { NativeUpstream, RouterTarget } from './types.ts';

export interface RouterTargetOptions {
  /** How Gemini is reached (default: as the Gemini route does, the Gemini API or Vertex AI). */
  gemini?: NativeUpstream;
  /** How Bedrock is reached (default: as the Bedrock route does, a bearer key or SigV4). */
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
