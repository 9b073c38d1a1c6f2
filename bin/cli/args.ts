import { readFileSync } from 'node:fs';
import { usageError } from './cli-error.ts';

export type Values = Record<string, string | boolean | string[] | undefined>;

export function text(values: Values, name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}

export function texts(values: Values, name: string): string[] {
  const value = values[name];
  return Array.isArray(value) ? value : typeof value === 'string' ? [value] : [];
}

export function flag(values: Values, name: string): boolean {
  return values[name] === true;
}

export function required(values: Values, name: string): string {
  const value = text(values, name);
  if (value === undefined || value === '') throw usageError(`--${name} is required.`);
  return value;
}

export function positional(positionals: string[], index: number, what: string): string {
  const value = positionals[index];
  if (!value) throw usageError(`Missing ${what}.`);
  return value;
}

/** `true`/`false` (also yes/no, 1/0). */
export function booleanText(value: string, name: string): boolean {
  if (/^(true|yes|1)$/i.test(value)) return true;
  if (/^(false|no|0)$/i.test(value)) return false;
  throw usageError(`--${name} takes true or false, not ${JSON.stringify(value)}.`);
}

/** Repeated `provider=keyId` pairs as a mapping. */
export function mapping(pairs: string[], name: string): Record<string, string> {
  const result: Record<string, string> = {};
  for (const pair of pairs) {
    for (const part of pair.split(',')) {
      const [provider, keyId, ...rest] = part.split('=');
      if (!provider || !keyId || rest.length > 0) {
        throw usageError(`--${name} takes provider=keyId (for example openai=prod), not ${JSON.stringify(part)}.`);
      }
      result[provider.trim()] = keyId.trim();
    }
  }
  return result;
}

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };

/** `90s`, `15m`, `12h`, `30d`, `2w` in milliseconds. */
export function duration(value: string, name: string): number {
  const match = /^(\d+)\s*([smhdw])$/.exec(value.trim());
  if (!match) throw usageError(`--${name} takes a duration such as 15m, 12h or 30d, not ${JSON.stringify(value)}.`);
  return Number(match[1]) * UNITS[match[2]!]! * 1000;
}

/** An ISO time, or a duration before now (`--since 1h`). */
export function isoTime(value: string, name: string): string {
  const time = Date.parse(value);
  if (Number.isNaN(time)) throw usageError(`--${name} takes an ISO 8601 time (for example 2026-01-31T00:00:00Z), not ${JSON.stringify(value)}.`);
  return new Date(time).toISOString();
}

/**
 * A secret for a command, never from the command line itself (where shell history and `ps` would
 * see it): from standard input, a file, or a named environment variable.
 */
export async function readSecret(values: Values, what: string): Promise<string | undefined> {
  const sources = ['api-key-stdin', 'api-key-file', 'api-key-env'].filter((name) => values[name] !== undefined && values[name] !== false);
  if (sources.length > 1) throw usageError('Give the key one way only: --api-key-stdin, --api-key-file or --api-key-env.');
  let secret: string | undefined;
  if (flag(values, 'api-key-stdin')) {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin as AsyncIterable<Buffer>) chunks.push(chunk);
    secret = Buffer.concat(chunks).toString('utf8');
  } else if (text(values, 'api-key-file')) {
    secret = readFileSync(text(values, 'api-key-file')!, 'utf8');
  } else if (text(values, 'api-key-env')) {
    const name = text(values, 'api-key-env')!;
    secret = process.env[name];
    if (secret === undefined) throw usageError(`The environment variable ${name} is not set.`);
  } else {
    return undefined;
  }
  secret = secret.trim();
  if (secret === '') throw usageError(`The ${what} is empty.`);
  return secret;
}

export const secretOptions = {
  'api-key-stdin': { type: 'boolean' },
  'api-key-file': { type: 'string' },
  'api-key-env': { type: 'string' },
} as const;
