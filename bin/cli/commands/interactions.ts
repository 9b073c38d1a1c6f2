import type { Interaction } from '../../../lib/interactions/interaction.ts';
import { duration, isoTime, required, text } from '../args.ts';
import { usageError } from '../cli-error.ts';
import type { Resource } from '../command.ts';

export const interactionsCommand: Resource = {
  name: 'interactions',
  summary: 'Interaction records: one per request, newest first.',
  actions: {
    list: {
      args: '--profile <id> [--since <1h> | --from <ISO time>] [--to <ISO time>] [--limit <n>]',
      summary: "List a profile's interactions",
      options: {
        profile: { type: 'string' },
        since: { type: 'string' },
        from: { type: 'string' },
        to: { type: 'string' },
        limit: { type: 'string' },
      },
      async run({ client, out, values }) {
        const profile = required(values, 'profile');
        const query = new URLSearchParams();
        const since = text(values, 'since');
        const from = text(values, 'from');
        if (since && from) throw usageError('Give --since or --from, not both.');
        if (since) query.set('from', new Date(Date.now() - duration(since, 'since')).toISOString());
        if (from) query.set('from', isoTime(from, 'from'));
        const to = text(values, 'to');
        if (to) query.set('to', isoTime(to, 'to'));
        const limit = text(values, 'limit');
        if (limit !== undefined) {
          if (!/^\d+$/.test(limit)) throw usageError(`--limit takes a number, not ${JSON.stringify(limit)}.`);
          query.set('limit', limit);
        }
        const suffix = query.size ? `?${query}` : '';
        const { items } = await client.request<{ items: Interaction[] }>(
          'GET',
          `/admin/profiles/${encodeURIComponent(profile)}/interactions${suffix}`,
        );
        if (out.json) return out.data(items);
        out.table(
          items,
          [
            ['TIME', (i) => i.createdAt],
            ['PROVIDER', (i) => i.provider],
            ['MODEL', (i) => i.model],
            ['STATUS', (i) => i.status],
            ['OUTCOME', (i) => i.outcome],
            ['IN', (i) => i.inputTokens],
            ['OUT', (i) => i.outputTokens],
            ['MS', (i) => Math.round(i.latencyMs)],
            ['CREDENTIAL', (i) => (i.credential ? `${i.credential.kind}${i.credential.id ? `:${i.credential.id.slice(0, 12)}` : ''}` : undefined)],
          ],
          `No interactions for profile '${profile}'.`,
        );
      },
    },
  },
};
