import type { UsageRow } from '../../../lib/interactions/usage-summary.ts';
import { duration, isoTime, text, texts } from '../args.ts';
import { usageError } from '../cli-error.ts';
import type { Resource } from '../command.ts';

const usd = (value: number) => `$${value.toFixed(value < 1 ? 4 : 2)}`;

export const usageCommand: Resource = {
  name: 'usage',
  summary: 'Spend: requests, tokens and cost by day, profile and model (from the interaction records).',
  actions: {
    summary: {
      args: '[--profile <id>…] [--since <30d> | --from <date or time>] [--to <date or time>]',
      summary: 'Sum the records of the given profiles (every profile by default)',
      options: {
        profile: { type: 'string', multiple: true },
        since: { type: 'string' },
        from: { type: 'string' },
        to: { type: 'string' },
      },
      async run({ client, out, values }) {
        const query = new URLSearchParams();
        const profiles = texts(values, 'profile');
        if (profiles.length) query.set('profile', profiles.join(','));
        const since = text(values, 'since');
        const from = text(values, 'from');
        if (since && from) throw usageError('Give --since or --from, not both.');
        if (since) query.set('from', new Date(Date.now() - duration(since, 'since')).toISOString());
        if (from) query.set('from', /^\d{4}-\d{2}-\d{2}$/.test(from) ? from : isoTime(from, 'from'));
        const to = text(values, 'to');
        if (to) query.set('to', /^\d{4}-\d{2}-\d{2}$/.test(to) ? to : isoTime(to, 'to'));
        const summary = await client.request<{ rows: UsageRow[]; total: UsageRow }>('GET', `/admin/usage${query.size ? `?${query}` : ''}`);
        if (out.json) return out.data(summary);
        out.table(
          summary.rows,
          [
            ['DAY', (r) => r.day],
            ['PROFILE', (r) => r.profileId],
            ['MODEL', (r) => r.model],
            ['REQUESTS', (r) => r.requests],
            ['ERRORS', (r) => r.errors],
            ['IN', (r) => r.inputTokens],
            ['OUT', (r) => r.outputTokens],
            ['CACHED', (r) => r.cacheReadTokens],
            ['COST', (r) => usd(r.costUsd)],
            ['UNPRICED', (r) => r.unpricedRequests || undefined],
          ],
          'No usage in that period.',
        );
        if (summary.rows.length > 0) {
          const t = summary.total;
          out.line(`\nTotal: ${t.requests} requests, ${t.inputTokens} input and ${t.outputTokens} output tokens, ${usd(t.costUsd)}.`);
        }
      },
    },
  },
};
