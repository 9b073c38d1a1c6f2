import type { Interaction } from './interaction.ts';

/** Any one text of a record (a model name, a path, a tool call id) is kept to this many characters. */
export const MAX_RECORD_TEXT = 1024;
/** DynamoDB refuses items over 400 KB; a record stays well under, so it is never lost for its size. */
export const MAX_RECORD_BYTES = 300 * 1024;

/** `value` with every text over MAX_RECORD_TEXT clipped; what holds none is returned as it is, not copied. */
function clip(value: unknown): unknown {
  if (typeof value === 'string') return value.length > MAX_RECORD_TEXT ? `${value.slice(0, MAX_RECORD_TEXT)}…` : value;
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const item = clip(value[i]);
      if (item !== value[i]) (out ??= value.slice())[i] = item;
    }
    return out ?? value;
  }
  let out: Record<string, unknown> | undefined;
  for (const key in value) {
    const item = (value as Record<string, unknown>)[key];
    const clipped = clip(item);
    if (clipped !== item) (out ??= { ...value })[key] = clipped;
  }
  return out ?? value;
}

const size = (record: Interaction) => Buffer.byteLength(JSON.stringify(record));

/**
 * A record that DynamoDB will take, whatever the client sent: every text clipped to
 * MAX_RECORD_TEXT characters and, should the policy decisions of a request with thousands of tool
 * results still not fit, the decisions that do not fit left out and counted in `policy.omitted`.
 */
export function fitRecord(record: Interaction): Interaction {
  let fitted = clip(record) as Interaction;
  const policy = fitted.policy;
  if (!policy || size(fitted) <= MAX_RECORD_BYTES) return fitted;
  const total = policy.toolResults.length + policy.blockedToolCalls.length;
  let keep = total;
  while (keep > 0 && size(fitted) > MAX_RECORD_BYTES) {
    keep = Math.floor(keep / 2);
    const blocked = Math.min(keep, policy.blockedToolCalls.length);
    fitted = {
      ...fitted,
      policy: {
        ...policy,
        blockedToolCalls: policy.blockedToolCalls.slice(0, blocked),
        toolResults: policy.toolResults.slice(0, keep - blocked),
        omitted: total - keep,
      },
    };
  }
  return fitted;
}
