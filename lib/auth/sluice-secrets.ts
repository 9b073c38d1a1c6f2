import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Every secret Sluice hands out starts with this prefix, so that one sent to a proxy route is always
 * recognised as Sluice's and never forwarded upstream as if it were a provider key.
 */
export const SLUICE_SECRET_PREFIX = 'sk-sluice-';
export const VIRTUAL_KEY_PREFIX = SLUICE_SECRET_PREFIX;
export const CLIENT_SECRET_PREFIX = `${SLUICE_SECRET_PREFIX}cs-`;
export const ADMIN_TOKEN_PREFIX = `${SLUICE_SECRET_PREFIX}admin-`;

/** 256 bits of randomness per secret. */
const RANDOM_BYTES = 32;

export function newSecret(prefix: string): string {
  return `${prefix}${randomBytes(RANDOM_BYTES).toString('base64url')}`;
}

export function isSluiceSecret(value: string): boolean {
  return value.startsWith(SLUICE_SECRET_PREFIX);
}

/** The SHA-256 of a secret, hex: what is stored instead of the secret (its entropy makes a slow hash pointless). */
export function sha256Hex(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** Compares two hex digests in constant time. */
export function sameDigest(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.byteLength === right.byteLength && left.byteLength > 0 && timingSafeEqual(left, right);
}

/** Enough of a secret for a person to tell keys apart in a listing (4 of its 43 random characters). */
export function secretHint(secret: string, prefix: string): string {
  return `${prefix}${secret.slice(prefix.length, prefix.length + 4)}…`;
}
