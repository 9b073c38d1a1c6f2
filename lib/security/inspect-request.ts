import type { Profile } from '../profiles/profile.ts';
import type { PolicyDecisions } from './decisions.ts';
import type { DualLlmSanitizer } from './dual-llm.ts';
import type { ToolInvocationPolicy, TrustedDataPolicy } from './policy-types.ts';
import { judgeToolCall, mayBlock, type InvocationContext } from './tool-invocation.ts';
import type { RequestToolView, ToolCallJudge } from './tool-view.ts';
import { classifyToolResult } from './trusted-data.ts';

export const UNTRUSTED_CONTEXT_HEADER = 'x-sluice-context-untrusted';

export interface RequestInspection {
  decisions: PolicyDecisions;
  judge: ToolCallJudge;
  /** Some tool results were replaced: the body must be rebuilt. */
  rewritten: boolean;
}

function blockedNotice(toolName: string, policyId: string): string {
  return `[Sluice withheld the output of ${toolName}: policy ${policyId} blocks this data from reaching the model.]`;
}

/**
 * Derives the context's trust from the whole history of one request (no server state): each tool
 * result is classified by the profile's trusted-data policies; blocked results are replaced by a
 * notice and sanitized ones by the quarantined model's answers, neither of which taints the
 * context since the model never reads the data. Any untrusted result, or the
 * X-Sluice-Context-Untrusted header, makes the context untrusted.
 */
export async function inspectRequest(
  profile: Profile,
  view: RequestToolView,
  headers: Record<string, string>,
  sanitizer: DualLlmSanitizer,
): Promise<RequestInspection> {
  const trustedDataPolicies = (profile.trustedDataPolicies ?? []) as TrustedDataPolicy[];
  const invocationPolicies = (profile.toolInvocationPolicies ?? []) as ToolInvocationPolicy[];
  const untrustedByHeader = headers[UNTRUSTED_CONTEXT_HEADER]?.trim().toLowerCase() === 'true';
  const decisions: PolicyDecisions = {
    contextUntrusted: untrustedByHeader,
    untrustedByHeader,
    toolResults: [],
    blockedToolCalls: [],
  };
  let rewritten = false;
  for (const result of view.toolResults) {
    const { trust, policy } = classifyToolResult(result.toolName, result.content, trustedDataPolicies);
    decisions.toolResults.push({ callId: result.callId, toolName: result.toolName, trust, policyId: policy?.id });
    if (trust === 'untrusted') decisions.contextUntrusted = true;
    if (trust === 'blocked') {
      result.replace(blockedNotice(result.toolName ?? 'a tool', policy!.id));
      rewritten = true;
    } else if (trust === 'sanitize') {
      const { summary } = await sanitizer.summarize(result.toolName ?? 'a tool', result.content, policy!.dualLlm!);
      result.replace(summary);
      rewritten = true;
    }
  }
  const context: InvocationContext = {
    untrusted: decisions.contextUntrusted,
    declaredTools: new Set(view.declaredTools.map((t) => t.name)),
    policies: invocationPolicies,
  };
  return {
    decisions,
    rewritten,
    judge: {
      judge: (call) => judgeToolCall(call.name, call.arguments, context),
      mayBlock: (name) => mayBlock(name, context),
      observeResult: ({ callId, toolName, content }) => {
        const { trust, policy } = classifyToolResult(toolName, content, trustedDataPolicies);
        decisions.toolResults.push({ callId, toolName, trust, policyId: policy?.id });
        // The model has read it already: block and sanitize policies can no longer keep it out.
        if (trust !== 'trusted') {
          decisions.contextUntrusted = true;
          context.untrusted = true;
        }
      },
    },
  };
}
