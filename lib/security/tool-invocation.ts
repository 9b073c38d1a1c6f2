import { allConditionsMatch } from './conditions.ts';
import type { ToolInvocationPolicy } from './policy-types.ts';

export interface ToolCallVerdict {
  allowed: boolean;
  /** Why, in words a user of the agent can read. */
  reason: string;
  policyId?: string;
}

export interface InvocationContext {
  untrusted: boolean;
  declaredTools: ReadonlySet<string>;
  policies: readonly ToolInvocationPolicy[];
}

/**
 * Whether a tool call may reach the client. In order:
 * 1. a tool the request did not declare is blocked;
 * 2. a matching block_always policy blocks;
 * 3. in an untrusted context, a matching block_when_context_is_untrusted policy blocks;
 * 4. a matching allow_when_context_is_untrusted policy allows;
 * 5. otherwise the call is blocked when the context is untrusted and allowed when it is trusted.
 */
export function judgeToolCall(name: string, args: unknown, context: InvocationContext): ToolCallVerdict {
  if (!context.declaredTools.has(name)) {
    return { allowed: false, reason: `the request did not declare a tool named '${name}'` };
  }
  const matching = context.policies.filter((p) => p.toolName === name && allConditionsMatch(p.conditions, args));
  const blockAlways = matching.find((p) => p.action === 'block_always');
  if (blockAlways) return { allowed: false, reason: `policy ${blockAlways.id} always blocks it`, policyId: blockAlways.id };
  if (context.untrusted) {
    const block = matching.find((p) => p.action === 'block_when_context_is_untrusted');
    if (block) {
      return { allowed: false, reason: `policy ${block.id} blocks it when the context holds untrusted data`, policyId: block.id };
    }
  }
  const allow = matching.find((p) => p.action === 'allow_when_context_is_untrusted');
  if (allow) return { allowed: true, reason: `policy ${allow.id} allows it`, policyId: allow.id };
  if (context.untrusted) {
    return { allowed: false, reason: 'the context holds untrusted data and no policy allows this call' };
  }
  return { allowed: true, reason: 'the context is trusted' };
}

/**
 * Whether some policy could block a call to this tool whatever its arguments: the stream guard
 * holds such calls' chunks until the call is complete, and lets every other call through at once.
 */
export function mayBlock(name: string, context: InvocationContext): boolean {
  if (!context.declaredTools.has(name)) return true;
  const policies = context.policies.filter((p) => p.toolName === name);
  if (policies.some((p) => p.action === 'block_always')) return true;
  if (!context.untrusted) return false;
  if (policies.some((p) => p.action === 'block_when_context_is_untrusted')) return true;
  return !policies.some((p) => p.action === 'allow_when_context_is_untrusted' && p.conditions.length === 0);
}
