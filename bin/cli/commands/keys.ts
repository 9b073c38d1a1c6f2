import type { z } from 'zod';
import type { virtualKeyCreatedSchema, virtualKeyOutSchema } from '../../../lib/admin/schemas.ts';
import { duration, flag, isoTime, positional, text, type Values } from '../args.ts';
import { CliError, usageError } from '../cli-error.ts';
import type { AdminClient } from '../admin-client.ts';
import type { Output } from '../output.ts';
import type { Resource } from '../command.ts';
import { GRANT_ARGS, grantFrom, grantOptions } from './grant-options.ts';

type VirtualKey = z.infer<typeof virtualKeyOutSchema>;
type Created = z.infer<typeof virtualKeyCreatedSchema>;

/** A key id, or a unique prefix of one (at least 6 hex characters), as listed by `keys list`. */
async function resolveId(client: AdminClient, ref: string): Promise<string> {
  if (/^[0-9a-f]{64}$/.test(ref)) return ref;
  if (!/^[0-9a-f]{6,63}$/.test(ref)) throw usageError(`${JSON.stringify(ref)} is not a virtual key id (give at least its first 6 hex characters).`);
  const { items } = await client.request<{ items: VirtualKey[] }>('GET', '/admin/virtual-keys');
  const matches = items.filter((k) => k.id.startsWith(ref));
  if (matches.length === 0) throw new CliError(`No virtual key id starts with ${ref}.`);
  if (matches.length > 1) throw new CliError(`More than one virtual key id starts with ${ref}; give more of it.`);
  return matches[0]!.id;
}

function expiryFrom(values: Values): string | null | undefined {
  const at = text(values, 'expires');
  const within = text(values, 'expires-in');
  if (at && within) throw usageError('Give --expires or --expires-in, not both.');
  if (flag(values, 'no-expiry')) return null;
  if (at) return isoTime(at, 'expires');
  if (within) return new Date(Date.now() + duration(within, 'expires-in')).toISOString();
  return undefined;
}

function show(out: Output, key: VirtualKey): void {
  if (out.json) return out.data(key);
  out.fields([
    ['id', key.id],
    ['name', key.name],
    ['key', key.hint],
    ['status', key.status],
    ['profiles', key.profiles],
    ['provider keys', key.providerKeys],
    ['expires', key.expiresAt ?? 'never'],
    ['last used', key.lastUsedAt ?? 'never'],
    ['revoked', key.revokedAt],
    ['created', key.createdAt],
  ]);
}

const expiryOptions = { expires: { type: 'string' }, 'expires-in': { type: 'string' } } as const;
const path = (id: string) => `/admin/virtual-keys/${id}`;

export const keysCommand: Resource = {
  name: 'keys',
  summary:
    'Virtual keys: Sluice keys (sk-sluice-…) that apps use instead of provider keys. Each is limited to\n' +
    'profiles, maps providers to provider keys, may expire, and is shown once: Sluice keeps only its SHA-256.',
  actions: {
    list: {
      args: '[--profile <id>]',
      summary: 'List virtual keys (never the keys themselves)',
      options: { profile: { type: 'string' } },
      async run({ client, out, values }) {
        const profile = text(values, 'profile');
        const query = profile ? `?profile=${encodeURIComponent(profile)}` : '';
        const { items } = await client.request<{ items: VirtualKey[] }>('GET', `/admin/virtual-keys${query}`);
        if (out.json) return out.data(items);
        out.table(
          items,
          [
            ['ID', (k) => k.id.slice(0, 12)],
            ['NAME', (k) => k.name],
            ['KEY', (k) => k.hint],
            ['STATUS', (k) => k.status],
            ['PROFILES', (k) => k.profiles],
            ['PROVIDER KEYS', (k) => k.providerKeys],
            ['EXPIRES', (k) => k.expiresAt ?? 'never'],
            ['LAST USED', (k) => k.lastUsedAt ?? 'never'],
          ],
          'No virtual keys.',
        );
      },
    },
    get: {
      args: '<id>',
      summary: 'Show a virtual key',
      async run({ client, out, positionals }) {
        const id = await resolveId(client, positional(positionals, 0, 'the key id'));
        show(out, await client.request<VirtualKey>('GET', path(id)));
      },
    },
    create: {
      args: `--name <name> ${GRANT_ARGS} [--expires <ISO time> | --expires-in <30d>]`,
      summary: 'Create a virtual key; it is printed once',
      options: { name: { type: 'string' }, ...grantOptions, ...expiryOptions },
      async run({ client, out, values }) {
        const grant = grantFrom(values);
        if (!grant.profiles) throw usageError('Give at least one --profile.');
        if (!grant.providerKeys) throw usageError('Give at least one --provider-key provider=keyId.');
        const name = text(values, 'name');
        if (!name) throw usageError('--name is required.');
        const expiresAt = expiryFrom(values);
        const created = await client.request<Created>('POST', '/admin/virtual-keys', {
          name,
          ...grant,
          ...(expiresAt ? { expiresAt } : {}),
        });
        if (out.json) return out.data(created);
        out.line(`Created virtual key '${created.key.name}' (id ${created.key.id.slice(0, 12)}).`);
        out.line('The key, shown this once (Sluice keeps only its hash):');
        out.line(created.secret);
      },
    },
    update: {
      args: '<id> [--name <name>] [--profile <id>…] [--provider-key <provider=keyId>…] [--expires <time> | --expires-in <30d> | --no-expiry]',
      summary: 'Change a virtual key (profiles and provider keys given replace the old ones)',
      options: { name: { type: 'string' }, ...grantOptions, ...expiryOptions, 'no-expiry': { type: 'boolean' } },
      async run({ client, out, positionals, values }) {
        const id = await resolveId(client, positional(positionals, 0, 'the key id'));
        const body: Record<string, unknown> = { ...grantFrom(values) };
        if (text(values, 'name')) body.name = text(values, 'name');
        const expiresAt = expiryFrom(values);
        if (expiresAt !== undefined) body.expiresAt = expiresAt;
        if (Object.keys(body).length === 0) throw usageError('Nothing to change.');
        show(out, await client.request<VirtualKey>('PATCH', path(id), body));
      },
    },
    revoke: {
      args: '<id>',
      summary: 'Revoke a virtual key (refused from then on; kept in the list)',
      async run({ client, out, positionals }) {
        const id = await resolveId(client, positional(positionals, 0, 'the key id'));
        const key = await client.request<VirtualKey>('POST', `${path(id)}/revoke`);
        if (out.json) return out.data(key);
        out.line(`Revoked virtual key '${key.name}' (id ${key.id.slice(0, 12)}).`);
      },
    },
    delete: {
      args: '<id>',
      summary: 'Delete a virtual key',
      async run({ client, out, positionals }) {
        const id = await resolveId(client, positional(positionals, 0, 'the key id'));
        await client.request('DELETE', path(id));
        if (out.json) return out.data({ deleted: id });
        out.line(`Deleted virtual key ${id.slice(0, 12)}.`);
      },
    },
  },
};
