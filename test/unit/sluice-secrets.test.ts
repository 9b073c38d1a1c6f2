import { describe, expect, it } from 'vitest';
import {
  ADMIN_TOKEN_PREFIX,
  CLIENT_SECRET_PREFIX,
  isSluiceSecret,
  newSecret,
  sameDigest,
  secretHint,
  sha256Hex,
  VIRTUAL_KEY_PREFIX,
} from '../../lib/auth/sluice-secrets.ts';

describe('Sluice secrets', () => {
  it('are a recognisable prefix and 32 random bytes, base64url', () => {
    const key = newSecret(VIRTUAL_KEY_PREFIX);
    expect(key).toMatch(/^sk-sluice-[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(key.slice(VIRTUAL_KEY_PREFIX.length), 'base64url').byteLength).toBe(32);
    expect(new Set(Array.from({ length: 100 }, () => newSecret(VIRTUAL_KEY_PREFIX))).size).toBe(100);
    for (const prefix of [CLIENT_SECRET_PREFIX, ADMIN_TOKEN_PREFIX]) expect(isSluiceSecret(newSecret(prefix))).toBe(true);
    expect(isSluiceSecret('sk-proj-abc')).toBe(false);
  });

  it('are stored as their SHA-256 and compared digest to digest', () => {
    const key = 'sk-sluice-example';
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(sameDigest(sha256Hex(key), sha256Hex(key))).toBe(true);
    expect(sameDigest(sha256Hex(key), sha256Hex(`${key}x`))).toBe(false);
    expect(sameDigest(sha256Hex(key), '')).toBe(false);
    expect(sameDigest('', '')).toBe(false);
  });

  it('show only a hint of themselves in listings', () => {
    expect(secretHint('sk-sluice-AbCdEfGh', VIRTUAL_KEY_PREFIX)).toBe('sk-sluice-AbCd…');
  });
});
