import * as z from 'zod';
import { limitsSchema } from '../limits/limit.ts';

export const DEFAULT_PROFILE_ID = 'default';

/** Profile ids appear in URLs: letters, digits, `-` and `_`, 1 to 64 characters. */
export const profileIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'letters, digits, - and _ only (1 to 64)');

export const profileSchema = z.looseObject({
  id: profileIdSchema,
  name: z.string().min(1).max(200),
  description: z.string().max(2000).optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
  /** Spending limits on the profile's calls (see lib/limits). */
  limits: limitsSchema.optional(),
});

/** An "LLM proxy": one per app or team. Later features add their settings as further fields. */
export type Profile = z.infer<typeof profileSchema>;

export function isProfileId(value: string): boolean {
  return profileIdSchema.safeParse(value).success;
}

export function defaultProfile(now: string = new Date().toISOString()): Profile {
  return { id: DEFAULT_PROFILE_ID, name: 'Default', createdAt: now, updatedAt: now };
}
