import type { Interaction } from './interaction.ts';

/** Any one text of a record (a model name, a path, a tool call id) is kept to this many characters. */
export const MAX_RECORD_TEXT = 1024;
/** DynamoDB refuses items over 400 KB; a record stays well under, so it is never lost for its size. */
export const MAX_RECORD_BYTES = 300 * 1024;

function clip(value: unknown): unknown {
  if (typeof value === 'string') return value.length > MAX_RECORD_TEXT ? `${value.slice(0, MAX_RECORD_TEXT)}…` : value;
  if (Array.isArray(value)) return value.map(clip);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = clip(item);
    return out;
  }
  return value;
}

const size = (record: Interaction) => Buffer.byteLength(JSON.stringify(record));

/**
 * A record that DynamoDB will take, whatever the client sent: every text clipped to
 * MAX_RECORD_TEXT characters and, should the policy decisions of a request with thousands of tool
 * results still not fit, the decisions that do not fit left out and counted in `policy.omitted`.
 */
export function fitRecord(record: Interaction): Interaction {
  const fitted = clip(record) as Interaction;
  const policy = fitted.policy;
  if (!policy || size(fitted) <= MAX_RECORD_BYTES) return fitted;
  const total = policy.toolResults.length + policy.blockedToolCalls.length;
  let keep = total;
  while (keep > 0 && size(fitted) > MAX_RECORD_BYTES) {
    keep = Math.floor(keep / 2);
    const blocked = Math.min(keep, policy.blockedToolCalls.length);
    fitted.policy = {
      ...policy,
      blockedToolCalls: policy.blockedToolCalls.slice(0, blocked),
      toolResults: policy.toolResults.slice(0, keep - blocked),
      omitted: total - keep,
    };
  }
  return fitted;
}
