import * as z from 'zod';
import { parseJsonObject, validateFields } from '../shared/json-body.ts';
import type { ResponseSummary } from '../types.ts';
import { tokenUsageFromOpenAi } from './usage.ts';

export const embeddingsFields = z.looseObject({
  model: z.string().min(1, 'must be a non-empty string'),
  input: z.union([z.string(), z.array(z.unknown())], { error: 'must be a string or an array' }),
});

/** Reads and checks an Embeddings body; it is forwarded exactly as sent. */
export function prepareEmbeddingsBody(raw: Buffer): { model: string; body: Buffer } {
  const fields = validateFields(embeddingsFields, parseJsonObject(raw));
  return { model: fields.model, body: raw };
}

/** An Embeddings answer: model and usage (`prompt_tokens`). */
export function summarizeEmbeddings(body: Buffer): ResponseSummary {
  try {
    const json = JSON.parse(body.toString('utf8')) as { model?: unknown; usage?: unknown };
    const summary: ResponseSummary = {};
    if (typeof json.model === 'string') summary.model = json.model;
    const usage = tokenUsageFromOpenAi(json.usage);
    if (usage) summary.usage = usage;
    return summary;
  } catch {
    return {};
  }
}
