import * as z from 'zod';
import { limitsSchema } from '../limits/limit.ts';
import { grantSchema } from './grant.ts';

/** OAuth client ids appear in the table's key (`oauth#<clientId>`) and in Basic auth: no `:`. */
export const clientIdSchema = z.string().regex(/^[A-Za-z0-9_.-]{3,64}$/, 'letters, digits, ., - and _ only (3 to 64)');

const timestamps = {
  createdAt: z.string(),
  updatedAt: z.string(),
  lastUsedAt: z.string().optional().describe('Recorded at most once per SLUICE_LAST_USED_INTERVAL_SECONDS.'),
  revokedAt: z.string().optional(),
};

/** A virtual key as stored in the `virtual-keys` table: `id` is the SHA-256 (hex) of the key; the key itself is not kept. */
export const virtualKeyRecordSchema = grantSchema.extend({
  id: z.string().regex(/^[0-9a-f]{64}$/).describe('SHA-256 (hex) of the key: its identifier.'),
  kind: z.literal('virtual-key'),
  name: z.string().min(1).max(200),
  hint: z.string().describe('The prefix and first characters of the key, to tell keys apart.'),
  expiresAt: z.string().optional(),
  limits: limitsSchema.optional(),
  ...timestamps,
});
export type VirtualKeyRecord = z.infer<typeof virtualKeyRecordSchema>;

/** An OAuth client in the same table, under `oauth#<clientId>`; only the SHA-256 of its secret is kept. */
export const oauthClientRecordSchema = grantSchema.extend({
  id: z.string().startsWith('oauth#'),
  kind: z.literal('oauth-client'),
  clientId: clientIdSchema,
  name: z.string().min(1).max(200),
  secretHash: z.string().regex(/^[0-9a-f]{64}$/),
  ...timestamps,
});
export type OAuthClientRecord = z.infer<typeof oauthClientRecordSchema>;

export type AccessRecord = VirtualKeyRecord | OAuthClientRecord;

export const oauthClientItemId = (clientId: string) => `oauth#${clientId}`;

export type CredentialStatus = 'active' | 'expired' | 'revoked';

export function credentialStatus(record: { revokedAt?: string; expiresAt?: string }, now = Date.now()): CredentialStatus {
  if (record.revokedAt) return 'revoked';
  if (record.expiresAt && Date.parse(record.expiresAt) <= now) return 'expired';
  return 'active';
}
