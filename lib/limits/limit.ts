import * as z from 'zod';

/**
 * A spending limit: at most `max` of a metric per calendar window (UTC). `cost_usd` counts US
 * dollars (priced calls only: a model the price catalog does not know costs nothing here),
 * `tokens` counts input plus output tokens. The id names the limit in refusals and in the
 * `x-sluice-limit-*-<id>` response headers.
 */
export const limitSchema = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,39}$/, 'lower-case letters, digits, - and _ (1 to 40), starting with a letter or digit'),
  metric: z.enum(['cost_usd', 'tokens']),
  window: z.enum(['hour', 'day', 'month']),
  max: z.number().positive().finite(),
});

export type Limit = z.infer<typeof limitSchema>;
export type LimitMetric = Limit['metric'];
export type LimitWindow = Limit['window'];

/** A profile's or a virtual key's list of limits: ids unique within the list. */
export const limitsSchema = z
  .array(limitSchema)
  .max(20)
  .refine((limits) => new Set(limits.map((limit) => limit.id)).size === limits.length, 'limit ids must be unique');

/** Who a limit applies to. Counters are kept per subject, so a key's spend and its profile's are counted apart. */
export interface LimitSubject {
  kind: 'profile' | 'virtual_key';
  id: string;
}

export interface SubjectLimits {
  subject: LimitSubject;
  limits: readonly Limit[];
}

/** The limits stored on a record (a profile or a virtual key); entries that do not parse are reported, not applied. */
export function readLimits(subject: LimitSubject, stored: unknown): SubjectLimits & { invalid: string[] } {
  const invalid: string[] = [];
  const limits: Limit[] = [];
  if (Array.isArray(stored)) {
    for (const entry of stored) {
      const parsed = limitSchema.safeParse(entry);
      if (parsed.success && !limits.some((limit) => limit.id === parsed.data.id)) limits.push(parsed.data);
      else invalid.push(JSON.stringify(entry).slice(0, 200));
    }
  } else if (stored !== undefined && stored !== null) {
    invalid.push(JSON.stringify(stored).slice(0, 200));
  }
  return { subject, limits, invalid };
}

/** A profile's limits (`limits` on the profile record). */
export function profileLimits(profile: { id: string; limits?: unknown }): SubjectLimits & { invalid: string[] } {
  return readLimits({ kind: 'profile', id: profile.id }, profile.limits);
}

/** A virtual key's limits (`limits` on the key record; `id` is the key's id, never its secret). */
export function virtualKeyLimits(key: { id: string; limits?: unknown }): SubjectLimits & { invalid: string[] } {
  return readLimits({ kind: 'virtual_key', id: key.id }, key.limits);
}
