import { readFileSync } from 'node:fs';
import type { z } from 'zod';
import type { profileOutSchema } from '../../../lib/admin/schemas.ts';
import type { ProfileAuth } from '../../../lib/auth/profile-auth.ts';
import { booleanText, flag, mapping, positional, required, text, texts, type Values } from '../args.ts';
import { usageError } from '../cli-error.ts';
import type { Output } from '../output.ts';
import type { Resource } from '../command.ts';

type Profile = z.infer<typeof profileOutSchema>;

const authOptions = {
  'allow-provider-keys': { type: 'string' },
  'allow-default-key': { type: 'string' },
  'jwks-issuer': { type: 'string' },
  'jwks-url': { type: 'string' },
  'jwks-audience': { type: 'string', multiple: true },
  'jwks-provider-key': { type: 'string', multiple: true },
  'jwks-rule': { type: 'string', multiple: true },
  'no-jwks': { type: 'boolean' },
  'auth-json': { type: 'string' },
} as const;

const RULES_ARGS = '[--rules-file <json file>]';

/**
 * `--rules-file`: a JSON file with any of `trustedDataPolicies`, `toolInvocationPolicies` and
 * `limits` (each replaces the profile's list whole; the admin API validates them).
 */
function rulesFrom(values: Values): Record<string, unknown> {
  const file = text(values, 'rules-file');
  if (file === undefined) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw usageError(`--rules-file ${file}: ${(error as Error).message}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw usageError('--rules-file must hold a JSON object.');
  const known = ['trustedDataPolicies', 'toolInvocationPolicies', 'limits'];
  const unknown = Object.keys(parsed).filter((key) => !known.includes(key));
  if (unknown.length) throw usageError(`--rules-file: unknown ${unknown.join(', ')} (expected ${known.join(', ')}).`);
  return parsed as Record<string, unknown>;
}

const AUTH_ARGS =
  '[--allow-provider-keys true|false] [--allow-default-key true|false] [--jwks-issuer <iss> --jwks-url <url> ' +
  '--jwks-audience <aud>… --jwks-provider-key <provider=key>… --jwks-rule <claim=v1,v2:provider=key,…>…] [--no-jwks] [--auth-json <json>]';

/** `groups=admins,ops:openai=prod,anthropic=main` */
function rule(value: string) {
  const colon = value.indexOf(':');
  const [claim, list] = colon > 0 ? value.slice(0, colon).split('=', 2) : [];
  if (!claim || !list) {
    throw usageError(`--jwks-rule takes claim=value[,value]:provider=key[,provider=key], not ${JSON.stringify(value)}.`);
  }
  return { claim, values: list.split(','), providerKeys: mapping([value.slice(colon + 1)], 'jwks-rule') };
}

/** The auth settings the flags describe, laid over the current ones. */
function authFrom(values: Values, current: ProfileAuth | undefined): ProfileAuth | undefined {
  const json = text(values, 'auth-json');
  if (json !== undefined) {
    try {
      return JSON.parse(json) as ProfileAuth;
    } catch {
      throw usageError('--auth-json is not valid JSON.');
    }
  }
  const auth: ProfileAuth = { ...current };
  let changed = false;
  const allowProviderKeys = text(values, 'allow-provider-keys');
  if (allowProviderKeys !== undefined) {
    auth.allowProviderKeys = booleanText(allowProviderKeys, 'allow-provider-keys');
    changed = true;
  }
  const allowDefaultKey = text(values, 'allow-default-key');
  if (allowDefaultKey !== undefined) {
    auth.allowDefaultKey = booleanText(allowDefaultKey, 'allow-default-key');
    changed = true;
  }
  if (flag(values, 'no-jwks')) {
    delete auth.jwks;
    changed = true;
  }
  const jwks: Partial<NonNullable<ProfileAuth['jwks']>> = { ...auth.jwks };
  let jwksChanged = false;
  const set = <K extends keyof typeof jwks>(key: K, value: (typeof jwks)[K] | undefined) => {
    if (value === undefined) return;
    jwks[key] = value;
    jwksChanged = true;
  };
  set('issuer', text(values, 'jwks-issuer'));
  set('jwksUrl', text(values, 'jwks-url'));
  const audiences = texts(values, 'jwks-audience');
  set('audience', audiences.length === 0 ? undefined : audiences.length === 1 ? audiences[0] : audiences);
  const providerKeys = texts(values, 'jwks-provider-key');
  set('providerKeys', providerKeys.length ? mapping(providerKeys, 'jwks-provider-key') : undefined);
  const rules = texts(values, 'jwks-rule');
  set('rules', rules.length ? rules.map(rule) : undefined);
  if (jwksChanged) {
    if (!jwks.issuer || !jwks.jwksUrl || !jwks.audience) {
      throw usageError('A JWKS trust needs --jwks-issuer, --jwks-url and --jwks-audience.');
    }
    auth.jwks = jwks as NonNullable<ProfileAuth['jwks']>;
    changed = true;
  }
  return changed ? auth : undefined;
}

function showProfile(out: Output, profile: Profile): void {
  if (out.json) return out.data(profile);
  const auth = profile.auth;
  out.fields([
    ['id', profile.id],
    ['name', profile.name],
    ['description', profile.description],
    ['provider keys from clients', auth?.allowProviderKeys === false ? 'refused' : 'passed through'],
    ['server default key', auth?.allowDefaultKey === false ? 'not used' : 'used when the client sends none'],
    ['JWKS issuer', auth?.jwks?.issuer],
    ['JWKS URL', auth?.jwks?.jwksUrl],
    ['JWKS audience', auth?.jwks?.audience],
    ['JWKS provider keys', auth?.jwks?.providerKeys],
    ['JWKS rules', auth?.jwks?.rules?.map((r) => `${r.claim}=${r.values.join('|')}→${Object.entries(r.providerKeys).map(([p, k]) => `${p}=${k}`).join('+')}`)],
    ['created', profile.createdAt],
    ['updated', profile.updatedAt],
  ]);
}

export const profilesCommand: Resource = {
  name: 'profiles',
  summary: 'Profiles: one per app or team, each with its own URL segment, settings and records.',
  actions: {
    list: {
      args: '',
      summary: 'List profiles',
      async run({ client, out }) {
        const { items } = await client.request<{ items: Profile[] }>('GET', '/admin/profiles');
        if (out.json) return out.data(items);
        out.table(
          items,
          [
            ['ID', (p) => p.id],
            ['NAME', (p) => p.name],
            ['JWKS ISSUER', (p) => p.auth?.jwks?.issuer],
            ['PROVIDER KEYS', (p) => (p.auth?.allowProviderKeys === false ? 'refused' : 'allowed')],
            ['UPDATED', (p) => p.updatedAt],
          ],
          'No profiles.',
        );
      },
    },
    get: {
      args: '<id>',
      summary: 'Show a profile',
      async run({ client, out, positionals }) {
        const id = positional(positionals, 0, 'the profile id');
        showProfile(out, await client.request<Profile>('GET', `/admin/profiles/${encodeURIComponent(id)}`));
      },
    },
    create: {
      args: `<id> --name <name> [--description <text>] ${RULES_ARGS} ${AUTH_ARGS}`,
      summary: 'Create a profile',
      options: { name: { type: 'string' }, description: { type: 'string' }, 'rules-file': { type: 'string' }, ...authOptions },
      async run({ client, out, positionals, values }) {
        const body: Record<string, unknown> = {
          id: positional(positionals, 0, 'the profile id'),
          name: required(values, 'name'),
          ...rulesFrom(values),
        };
        if (text(values, 'description') !== undefined) body.description = text(values, 'description');
        const auth = authFrom(values, undefined);
        if (auth) body.auth = auth;
        const profile = await client.request<Profile>('POST', '/admin/profiles', body);
        if (out.json) return out.data(profile);
        out.line(`Created profile '${profile.id}'.`);
      },
    },
    update: {
      args: `<id> [--name <name>] [--description <text>] ${RULES_ARGS} ${AUTH_ARGS}`,
      summary: 'Change a profile (auth flags are laid over its current auth settings; a rules file replaces the lists it names)',
      options: { name: { type: 'string' }, description: { type: 'string' }, 'rules-file': { type: 'string' }, ...authOptions },
      async run({ client, out, positionals, values }) {
        const path = `/admin/profiles/${encodeURIComponent(positional(positionals, 0, 'the profile id'))}`;
        const current = await client.request<Profile>('GET', path);
        const body: Record<string, unknown> = { ...rulesFrom(values) };
        if (text(values, 'name') !== undefined) body.name = text(values, 'name');
        if (text(values, 'description') !== undefined) body.description = text(values, 'description');
        const auth = authFrom(values, current.auth);
        if (auth) body.auth = auth;
        if (Object.keys(body).length === 0) throw usageError('Nothing to change: give --name, --description, --rules-file or auth flags.');
        showProfile(out, await client.request<Profile>('PATCH', path, body));
      },
    },
    tools: {
      args: '<id>',
      summary: 'The tools the profile has seen in requests, to write policies for',
      async run({ client, out, positionals }) {
        const id = positional(positionals, 0, 'the profile id');
        const profile = await client.request<Profile & { tools?: Record<string, { name: string; description?: string; lastSeenAt: string }> }>(
          'GET',
          `/admin/profiles/${encodeURIComponent(id)}`,
        );
        const tools = Object.values(profile.tools ?? {});
        if (out.json) return out.data(tools);
        const policies = [...((profile as { trustedDataPolicies?: Array<{ toolName: string }> }).trustedDataPolicies ?? []),
          ...((profile as { toolInvocationPolicies?: Array<{ toolName: string }> }).toolInvocationPolicies ?? [])];
        out.table(
          tools,
          [
            ['TOOL', (t) => t.name],
            ['POLICIES', (t) => policies.filter((p) => p.toolName === t.name).length],
            ['LAST SEEN', (t) => t.lastSeenAt],
            ['DESCRIPTION', (t) => t.description?.slice(0, 60)],
          ],
          `Profile '${id}' has seen no tools yet.`,
        );
      },
    },
    delete: {
      args: '<id>',
      summary: 'Delete a profile',
      async run({ client, out, positionals }) {
        const id = positional(positionals, 0, 'the profile id');
        await client.request('DELETE', `/admin/profiles/${encodeURIComponent(id)}`);
        if (out.json) return out.data({ deleted: id });
        out.line(`Deleted profile '${id}'.`);
      },
    },
  },
};
