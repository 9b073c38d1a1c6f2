import { allConditionsMatch } from './conditions.ts';
import type { TrustedDataAction, TrustedDataPolicy } from './policy-types.ts';

export type ResultTrust = 'trusted' | 'untrusted' | 'blocked' | 'sanitize';

export interface ResultClassification {
  trust: ResultTrust;
  /** The policy that decided, if one matched. */
  policy?: TrustedDataPolicy;
}

/**
 * Precedence when several policies of a tool match one result: the most protective action wins —
 * block_always, then sanitize_with_dual_llm, then mark_as_untrusted, then mark_as_trusted.
 * A result that no policy matches is untrusted.
 */
const precedence: readonly TrustedDataAction[] = ['block_always', 'sanitize_with_dual_llm', 'mark_as_untrusted', 'mark_as_trusted'];

const trustOfAction: Record<TrustedDataAction, ResultTrust> = {
  block_always: 'blocked',
  sanitize_with_dual_llm: 'sanitize',
  mark_as_untrusted: 'untrusted',
  mark_as_trusted: 'trusted',
};

export function classifyToolResult(
  toolName: string | undefined,
  content: unknown,
  policies: readonly TrustedDataPolicy[],
): ResultClassification {
  if (toolName === undefined) return { trust: 'untrusted' };
  const matching = policies.filter((p) => p.toolName === toolName && allConditionsMatch(p.conditions, content));
  for (const action of precedence) {
    const policy = matching.find((p) => p.action === action);
    if (policy) return { trust: trustOfAction[action], policy };
  }
  return { trust: 'untrusted' };
}
