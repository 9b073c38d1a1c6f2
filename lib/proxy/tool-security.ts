import type { InteractionDraft } from '../interactions/interaction-draft.ts';
import type { Profile } from '../profiles/profile.ts';
import type { StreamObserver, UpstreamCall } from '../providers/types.ts';
import type { Runtime } from '../runtime.ts';
import type { PolicyDecisions } from '../security/decisions.ts';
import { inspectRequest } from '../security/inspect-request.ts';
import { rememberTools, toolsToRemember } from '../security/tool-discovery.ts';
import { refusalText, type BlockedCall, type ResponseToolDialect, type ToolCallJudge } from '../security/tool-view.ts';

/** The security pipeline of one request that carries tools, from request to answer. */
export interface ToolSecurity {
  judge: ToolCallJudge;
  dialect: ResponseToolDialect;
  decisions: PolicyDecisions;
}

/**
 * Remembers the request's tools, classifies its tool results (rewriting the upstream body when a
 * result is blocked or sanitized) and returns the judge for the tool calls of the answer.
 */
export async function applyRequestPolicies(
  call: UpstreamCall,
  profile: Profile,
  headers: Record<string, string>,
  runtime: Runtime,
  draft: InteractionDraft,
): Promise<ToolSecurity | undefined> {
  const tools = call.tools;
  if (!tools) return undefined;
  const fresh = toolsToRemember(profile, tools.request.declaredTools, new Date());
  if (fresh.length > 0) {
    try {
      await rememberTools(runtime.db, runtime.config.storage.tables.profiles, profile, fresh);
      runtime.profiles.invalidate(profile.id);
    } catch (error) {
      runtime.logger.warn('could not remember tools', { profileId: profile.id, error: (error as Error).message });
    }
  }
  const inspection = await inspectRequest(profile, tools.request, headers, runtime.sanitizer);
  draft.policy = inspection.decisions;
  if (inspection.rewritten) {
    call.body = tools.request.rebuildBody();
    if (call.headersForBody) call.headers = await call.headersForBody(call.body);
  }
  return { judge: inspection.judge, dialect: tools.response, decisions: inspection.decisions };
}

function recordBlocked(security: ToolSecurity, draft: InteractionDraft, blocked: readonly BlockedCall[]): void {
  for (const { call, verdict } of blocked) {
    security.decisions.blockedToolCalls.push({ id: call.id, name: call.name, reason: verdict.reason, policyId: verdict.policyId });
  }
  draft.blocked();
}

/** A complete answer: unchanged unless a tool call in it is blocked. */
export function enforceOnBody(security: ToolSecurity, body: Buffer, draft: InteractionDraft): Buffer {
  for (const result of security.dialect.answerToolResults?.(body) ?? []) security.judge.observeResult(result);
  const calls = security.dialect.toolCalls(body);
  if (calls.length === 0) return body;
  const blocked = calls
    .map((call) => ({ call, verdict: security.judge.judge(call) }))
    .filter((entry) => !entry.verdict.allowed);
  if (blocked.length === 0) return body;
  recordBlocked(security, draft, blocked);
  return security.dialect.refuse(body, refusalText(blocked));
}

export interface GuardedObserver extends StreamObserver {
  holding(): boolean;
  keepAlive(): Buffer;
}

/** A streamed answer: the observer reads usage, then the guard holds and judges tool calls. */
export function guardStream(observer: StreamObserver, security: ToolSecurity, draft: InteractionDraft): GuardedObserver {
  const guard = security.dialect.guardStream(
    security.judge,
    (blocked) => recordBlocked(security, draft, blocked),
    refusalText,
  );
  const join = (a: Buffer | undefined, b: Buffer | undefined) => (a && b ? Buffer.concat([a, b]) : (a ?? b));
  return {
    push: (chunk) => {
      const seen = observer.push(chunk);
      return seen ? guard.push(seen) : undefined;
    },
    end: () => {
      const tail = observer.end();
      return join(tail ? guard.push(tail) : undefined, guard.end());
    },
    summary: () => observer.summary(),
    completed: () => observer.completed(),
    upstreamFailure: () => observer.upstreamFailure?.(),
    broken: () => observer.broken?.(),
    atEventBoundary: () => observer.atEventBoundary() && !guard.holding(),
    holding: () => guard.holding(),
    keepAlive: () => guard.keepAlive(),
  };
}
