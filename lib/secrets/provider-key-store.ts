import * as z from 'zod';
import { SluiceError } from '../errors/sluice-error.ts';

/** A provider id as it appears in routes: `openai`, `azure`, `vllm`, … */
export const providerIdSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,39}$/, 'a provider id: lower-case letters, digits and - (for example openai)');

/** A provider key's id, unique per provider; part of its secret's name. */
export const providerKeyIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,64}$/, 'letters, digits, - and _ only (1 to 64)');

const baseUrlSchema = z.url({ protocol: /^https?$/ }).transform((url) => url.replace(/\/+$/, ''));

/** What is known about a provider key without its secret: what the admin API shows. */
export const providerKeyInfoSchema = z.object({
  provider: providerIdSchema,
  id: providerKeyIdSchema,
  name: z.string().max(200).optional(),
  baseUrl: z.string().optional().describe('Upstream base URL used with this key instead of the provider default.'),
  createdAt: z.string().optional(),
  updatedAt: z.string().optional(),
});
export type ProviderKeyInfo = z.infer<typeof providerKeyInfoSchema>;

export const newProviderKeySchema = z.object({
  provider: providerIdSchema,
  id: providerKeyIdSchema,
  name: z.string().min(1).max(200).optional(),
  apiKey: z.string().min(1).max(8192).describe('The provider API key. Stored as a secret, never shown again.'),
  baseUrl: baseUrlSchema.optional(),
});
export type NewProviderKey = z.infer<typeof newProviderKeySchema>;

export const providerKeyPatchSchema = z
  .object({
    name: z.string().min(1).max(200).optional(),
    apiKey: z.string().min(1).max(8192).optional(),
    baseUrl: baseUrlSchema.nullable().optional().describe('null removes the per-key base URL.'),
  })
  .strict();
export type ProviderKeyPatch = z.infer<typeof providerKeyPatchSchema>;

/** What the request path needs: the key, and where to use it. */
export interface ProviderKeySecret {
  apiKey: string;
  baseUrl?: string;
}

/**
 * Where provider keys live: Secrets Manager on AWS, a mode-0600 file under SLUICE_DATA_DIR locally.
 * The implementation is chosen by the wiring (functions/ or bin/), never inside lib/.
 */
export interface ProviderKeyStore {
  /** The key's secret for the request path, read through a cache. Undefined when there is no such key. */
  resolve(provider: string, id: string): Promise<ProviderKeySecret | undefined>;
  get(provider: string, id: string): Promise<ProviderKeyInfo | undefined>;
  list(provider?: string): Promise<ProviderKeyInfo[]>;
  /** Throws a 409 SluiceError when the key exists already. */
  create(key: NewProviderKey): Promise<ProviderKeyInfo>;
  /** Undefined when there is no such key. */
  update(provider: string, id: string, patch: ProviderKeyPatch): Promise<ProviderKeyInfo | undefined>;
  delete(provider: string, id: string): Promise<boolean>;
}

/** The secret that signs Sluice's OAuth access tokens (HS256): at least 32 bytes. */
export interface SigningKeySource {
  get(): Promise<Uint8Array>;
}

export const MIN_SIGNING_KEY_BYTES = 32;

export function providerKeyExists(provider: string, id: string): SluiceError {
  return new SluiceError('bad_request', `Provider key '${provider}/${id}' exists already.`, {
    status: 409,
    code: 'already_exists',
  });
}

/**
 * A secret's value: a JSON object `{"apiKey": …, "baseUrl"?: …}`, or the bare key as plain text (a
 * secret created by hand). An error names the secret, never its value, not even a piece of it.
 */
export function parseProviderKeySecret(value: string, secretName: string): ProviderKeySecret {
  const text = value.trim();
  if (text !== '' && !text.startsWith('{')) return { apiKey: text };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const parsed = z.object({ apiKey: z.string().min(1), baseUrl: z.string().optional() }).safeParse(json);
  if (!parsed.success) {
    throw new Error(`The secret ${secretName} holds no provider key: expected {"apiKey": "…"} or the key as plain text.`);
  }
  return parsed.data.baseUrl ? { apiKey: parsed.data.apiKey, baseUrl: parsed.data.baseUrl } : { apiKey: parsed.data.apiKey };
}

export function serializeProviderKeySecret(secret: ProviderKeySecret): string {
  return JSON.stringify(secret.baseUrl ? { apiKey: secret.apiKey, baseUrl: secret.baseUrl } : { apiKey: secret.apiKey });
}
