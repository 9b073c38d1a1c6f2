import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ADMIN_TOKEN_PREFIX, newSecret } from '../../lib/auth/sluice-secrets.ts';

const FILE = 'admin-token';

export function adminTokenPath(dataDir: string): string {
  return join(resolve(dataDir), FILE);
}

/** The local admin token, if the server has made one. */
export function readAdminToken(dataDir: string): string | undefined {
  const path = adminTokenPath(dataDir);
  if (!existsSync(path)) return undefined;
  return readFileSync(path, 'utf8').trim() || undefined;
}

/**
 * The bearer token of the local admin API: made once (256 random bits) and kept in
 * `<dataDir>/admin-token`, readable only by its owner (mode 0600), where the CLI finds it.
 */
export function ensureAdminToken(dataDir: string): string {
  const path = adminTokenPath(dataDir);
  const existing = readAdminToken(dataDir);
  if (existing) {
    if ((statSync(path).mode & 0o777) !== 0o600) chmodSync(path, 0o600);
    return existing;
  }
  mkdirSync(resolve(dataDir), { recursive: true, mode: 0o700 });
  const token = newSecret(ADMIN_TOKEN_PREFIX);
  writeFileSync(path, `${token}\n`, { mode: 0o600 });
  chmodSync(path, 0o600);
  return token;
}
