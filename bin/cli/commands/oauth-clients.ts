import type { z } from 'zod';
import type { oauthClientCreatedSchema, oauthClientOutSchema } from '../../../lib/admin/schemas.ts';
import { positional, text } from '../args.ts';
import { usageError } from '../cli-error.ts';
import type { Output } from '../output.ts';
import type { Resource } from '../command.ts';
import { GRANT_ARGS, grantFrom, grantOptions } from './grant-options.ts';

type OAuthClient = z.infer<typeof oauthClientOutSchema>;
type Created = z.infer<typeof oauthClientCreatedSchema>;

const path = (positionals: string[]) =>
  `/admin/oauth-clients/${encodeURIComponent(positional(positionals, 0, 'the client id'))}`;

function show(out: Output, client: OAuthClient): void {
  if (out.json) return out.data(client);
  out.fields([
    ['client id', client.clientId],
    ['name', client.name],
    ['status', client.status],
    ['profiles', client.profiles],
    ['provider keys', client.providerKeys],
    ['last used', client.lastUsedAt ?? 'never'],
    ['revoked', client.revokedAt],
    ['created', client.createdAt],
  ]);
}

function showSecret(out: Output, created: Created, verb: string): void {
  if (out.json) return out.data(created);
  out.line(`${verb} OAuth client '${created.client.clientId}'.`);
  out.line('Its secret, shown this once (Sluice keeps only its hash):');
  out.line(created.clientSecret);
  out.line('Exchange it for an access token: POST /oauth/token with grant_type=client_credentials.');
}

export const oauthClientsCommand: Resource = {
  name: 'oauth-clients',
  summary:
    'OAuth clients: backend services that get short-lived access tokens (scope llm:proxy) from POST /oauth/token\n' +
    'with the client credentials grant. Each is limited to profiles and maps providers to provider keys.',
  actions: {
    list: {
      args: '',
      summary: 'List OAuth clients (never their secrets)',
      async run({ client, out }) {
        const { items } = await client.request<{ items: OAuthClient[] }>('GET', '/admin/oauth-clients');
        if (out.json) return out.data(items);
        out.table(
          items,
          [
            ['CLIENT ID', (c) => c.clientId],
            ['NAME', (c) => c.name],
            ['STATUS', (c) => c.status],
            ['PROFILES', (c) => c.profiles],
            ['PROVIDER KEYS', (c) => c.providerKeys],
            ['LAST USED', (c) => c.lastUsedAt ?? 'never'],
          ],
          'No OAuth clients.',
        );
      },
    },
    get: {
      args: '<client id>',
      summary: 'Show an OAuth client',
      async run({ client, out, positionals }) {
        show(out, await client.request<OAuthClient>('GET', path(positionals)));
      },
    },
    create: {
      args: `--name <name> ${GRANT_ARGS} [--client-id <id>]`,
      summary: 'Create an OAuth client; its secret is printed once',
      options: { name: { type: 'string' }, 'client-id': { type: 'string' }, ...grantOptions },
      async run({ client, out, values }) {
        const grant = grantFrom(values);
        if (!grant.profiles) throw usageError('Give at least one --profile.');
        if (!grant.providerKeys) throw usageError('Give at least one --provider-key provider=keyId.');
        const name = text(values, 'name');
        if (!name) throw usageError('--name is required.');
        const clientId = text(values, 'client-id');
        const created = await client.request<Created>('POST', '/admin/oauth-clients', {
          name,
          ...grant,
          ...(clientId ? { clientId } : {}),
        });
        showSecret(out, created, 'Created');
      },
    },
    update: {
      args: '<client id> [--name <name>] [--profile <id>…] [--provider-key <provider=keyId>…]',
      summary: 'Change an OAuth client (profiles and provider keys given replace the old ones)',
      options: { name: { type: 'string' }, ...grantOptions },
      async run({ client, out, positionals, values }) {
        const body: Record<string, unknown> = { ...grantFrom(values) };
        if (text(values, 'name')) body.name = text(values, 'name');
        if (Object.keys(body).length === 0) throw usageError('Nothing to change.');
        show(out, await client.request<OAuthClient>('PATCH', path(positionals), body));
      },
    },
    'rotate-secret': {
      args: '<client id>',
      summary: 'Give a client a new secret (the old one stops working at once)',
      async run({ client, out, positionals }) {
        showSecret(out, await client.request<Created>('POST', `${path(positionals)}/rotate-secret`), 'New secret for');
      },
    },
    revoke: {
      args: '<client id>',
      summary: 'Revoke a client: no new tokens, and its tokens are refused',
      async run({ client, out, positionals }) {
        const revoked = await client.request<OAuthClient>('POST', `${path(positionals)}/revoke`);
        if (out.json) return out.data(revoked);
        out.line(`Revoked OAuth client '${revoked.clientId}'.`);
      },
    },
    delete: {
      args: '<client id>',
      summary: 'Delete an OAuth client',
      async run({ client, out, positionals }) {
        await client.request('DELETE', path(positionals));
        if (out.json) return out.data({ deleted: positionals[0] });
        out.line(`Deleted OAuth client '${positionals[0]}'.`);
      },
    },
  },
};
