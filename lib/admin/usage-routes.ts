import * as z from 'zod';
import { loadUsageSummary } from '../interactions/usage-query.ts';
import { totalUsage } from '../interactions/usage-summary.ts';
import { profileIdSchema } from '../profiles/profile.ts';
import { route } from './route.ts';
import { adminSchemas } from './schemas.ts';

const isoTime = z.iso.datetime({ offset: true }).or(z.iso.date());

const usageQuerySchema = z.object({
  profile: z
    .string()
    .optional()
    .transform((value) => (value ? value.split(',').map((id) => id.trim()).filter(Boolean) : undefined))
    .pipe(z.array(profileIdSchema).optional())
    .describe('Comma-separated profile ids; every profile when absent.'),
  from: isoTime.optional(),
  to: isoTime.optional(),
});

const usageRowSchema = z.object({
  day: z.string(),
  profileId: z.string(),
  model: z.string(),
  requests: z.number(),
  errors: z.number(),
  inputTokens: z.number(),
  outputTokens: z.number(),
  cacheReadTokens: z.number(),
  cacheWriteTokens: z.number(),
  reasoningTokens: z.number(),
  costUsd: z.number(),
  unpricedRequests: z.number(),
  estimatedRequests: z.number(),
});

const usageSummarySchema = z
  .object({ rows: z.array(usageRowSchema), total: usageRowSchema })
  .register(adminSchemas, { id: 'UsageSummary' });

export const usageRoutes = [
  route({
    method: 'GET',
    path: '/admin/usage',
    operationId: 'usageSummary',
    summary: 'Requests, tokens and cost by day, profile and model',
    tag: 'Interactions',
    query: usageQuerySchema,
    response: { status: 200, description: 'Usage rows and their total', schema: usageSummarySchema },
    async handle({ runtime, query }) {
      const profileIds = query.profile ?? (await runtime.profiles.list()).map((profile) => profile.id);
      const utc = (time: string | undefined) => (time === undefined || time.length === 10 ? time : new Date(time).toISOString());
      const rows = await loadUsageSummary(runtime.interactions, { profileIds, from: utc(query.from), to: utc(query.to) });
      return { status: 200, body: { rows, total: totalUsage(rows) } };
    },
  }),
];
