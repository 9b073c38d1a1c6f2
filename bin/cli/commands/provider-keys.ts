import type { ProviderKeyInfo } from '../../../lib/secrets/provider-key-store.ts';
import { flag, positional, readSecret, secretOptions, text } from '../args.ts';
import { usageError } from '../cli-error.ts';
import type { Output } from '../output.ts';
import type { Resource } from '../command.ts';

/** `openai/prod` → its parts. */
function keyRef(positionals: string[]): { provider: string; keyId: string; path: string } {
  const ref = positional(positionals, 0, 'the key as <provider>/<id> (for example openai/prod)');
  const [provider, keyId, ...rest] = ref.split('/');
  if (!provider || !keyId || rest.length > 0) throw usageError(`Name the key as <provider>/<id> (for example openai/prod), not ${JSON.stringify(ref)}.`);
  return { provider, keyId, path: `/admin/provider-keys/${encodeURIComponent(provider)}/${encodeURIComponent(keyId)}` };
}

function show(out: Output, key: ProviderKeyInfo): void {
  if (out.json) return out.data(key);
  out.fields([
    ['key', `${key.provider}/${key.id}`],
    ['name', key.name],
    ['base URL', key.baseUrl ?? '(the provider default)'],
    ['created', key.createdAt],
    ['updated', key.updatedAt],
  ]);
}

const KEY_INPUT = '(--api-key-stdin | --api-key-file <path> | --api-key-env <VAR>)';

export const providerKeysCommand: Resource = {
  name: 'provider-keys',
  summary:
    'Provider keys: the real API keys, kept in Secrets Manager (locally in SLUICE_DATA_DIR/secrets.json) and never shown again.\n' +
    'The key is read from standard input, a file or an environment variable, never from the command line.',
  actions: {
    list: {
      args: '[--provider <id>]',
      summary: 'List provider keys (without their secrets)',
      options: { provider: { type: 'string' } },
      async run({ client, out, values }) {
        const provider = text(values, 'provider');
        const query = provider ? `?provider=${encodeURIComponent(provider)}` : '';
        const { items } = await client.request<{ items: ProviderKeyInfo[] }>('GET', `/admin/provider-keys${query}`);
        if (out.json) return out.data(items);
        out.table(
          items,
          [
            ['KEY', (k) => `${k.provider}/${k.id}`],
            ['NAME', (k) => k.name],
            ['BASE URL', (k) => k.baseUrl],
            ['UPDATED', (k) => k.updatedAt],
          ],
          'No provider keys.',
        );
      },
    },
    get: {
      args: '<provider>/<id>',
      summary: 'Show a provider key (without its secret)',
      async run({ client, out, positionals }) {
        show(out, await client.request<ProviderKeyInfo>('GET', keyRef(positionals).path));
      },
    },
    create: {
      args: `<provider>/<id> ${KEY_INPUT} [--name <name>] [--base-url <url>]`,
      summary: 'Store a provider key',
      options: { name: { type: 'string' }, 'base-url': { type: 'string' }, ...secretOptions },
      async run({ client, out, positionals, values }) {
        const { provider, keyId } = keyRef(positionals);
        const apiKey = await readSecret(values, 'API key');
        if (!apiKey) throw usageError(`Give the API key with ${KEY_INPUT}.`);
        const body: Record<string, unknown> = { provider, id: keyId, apiKey };
        if (text(values, 'name')) body.name = text(values, 'name');
        if (text(values, 'base-url')) body.baseUrl = text(values, 'base-url');
        const key = await client.request<ProviderKeyInfo>('POST', '/admin/provider-keys', body);
        if (out.json) return out.data(key);
        out.line(`Stored provider key '${key.provider}/${key.id}'.`);
      },
    },
    update: {
      args: `<provider>/<id> [${KEY_INPUT}] [--name <name>] [--base-url <url> | --no-base-url]`,
      summary: 'Rotate, rename or re-point a provider key',
      options: { name: { type: 'string' }, 'base-url': { type: 'string' }, 'no-base-url': { type: 'boolean' }, ...secretOptions },
      async run({ client, out, positionals, values }) {
        const { path } = keyRef(positionals);
        const body: Record<string, unknown> = {};
        const apiKey = await readSecret(values, 'API key');
        if (apiKey) body.apiKey = apiKey;
        if (text(values, 'name')) body.name = text(values, 'name');
        if (text(values, 'base-url')) body.baseUrl = text(values, 'base-url');
        if (flag(values, 'no-base-url')) body.baseUrl = null;
        if (Object.keys(body).length === 0) throw usageError('Nothing to change: give a new key, --name or --base-url.');
        show(out, await client.request<ProviderKeyInfo>('PATCH', path, body));
      },
    },
    delete: {
      args: '<provider>/<id>',
      summary: 'Delete a provider key (credentials mapped to it are refused from then on)',
      async run({ client, out, positionals }) {
        const { provider, keyId, path } = keyRef(positionals);
        await client.request('DELETE', path);
        if (out.json) return out.data({ deleted: `${provider}/${keyId}` });
        out.line(`Deleted provider key '${provider}/${keyId}'.`);
      },
    },
  },
};
