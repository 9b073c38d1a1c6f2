import * as z from 'zod';
import { parsePath } from './json-path.ts';

const validPath = (path: string) => {
  if (path === '$') return true;
  try {
    parsePath(path);
    return true;
  } catch {
    return false;
  }
};
const validRegex = (c: { operator: string; value: string }) => {
  if (c.operator !== 'regex') return true;
  try {
    new RegExp(c.value, 'u');
    return true;
  } catch {
    return false;
  }
};

export const conditionOperators = ['equal', 'notEqual', 'contains', 'notContains', 'startsWith', 'endsWith', 'regex'] as const;

/** A condition on a tool result or on a call's arguments. `key` is a path (`a.b[0].c`, `items[*].from`). */
export const conditionSchema = z
  .object({
    key: z.string().min(1).max(500).refine(validPath, 'not a valid path (use a.b[0].c or items[*].from, or $ for the whole value)'),
    operator: z.enum(conditionOperators),
    value: z.string().max(2000),
  })
  .refine(validRegex, { message: 'not a valid regular expression', path: ['value'] });
export type Condition = z.infer<typeof conditionSchema>;

export const trustedDataActions = ['mark_as_trusted', 'mark_as_untrusted', 'block_always', 'sanitize_with_dual_llm'] as const;
export type TrustedDataAction = (typeof trustedDataActions)[number];

export const sanitizerQuestionSchema = z.object({
  question: z.string().min(1).max(1000),
  options: z.array(z.string().min(1).max(500)).min(2).max(20),
});

/** What the quarantined model is asked about a result it alone reads; it may only pick an option. */
export const dualLlmSchema = z.object({
  /** An OpenAI-style provider id whose /chat/completions serves the quarantined model. */
  provider: z.string().min(1).default('openai'),
  model: z.string().min(1),
  questions: z.array(sanitizerQuestionSchema).min(1).max(10),
});
export type DualLlmSettings = z.infer<typeof dualLlmSchema>;

export const trustedDataPolicySchema = z
  .object({
    id: z.string().min(1).max(100),
    toolName: z.string().min(1).max(200),
    description: z.string().max(1000).optional(),
    conditions: z.array(conditionSchema).max(20).default([]),
    action: z.enum(trustedDataActions),
    dualLlm: dualLlmSchema.optional(),
  })
  .refine((p) => p.action !== 'sanitize_with_dual_llm' || p.dualLlm !== undefined, {
    message: 'sanitize_with_dual_llm needs dualLlm settings (model and questions)',
    path: ['dualLlm'],
  });
export type TrustedDataPolicy = z.infer<typeof trustedDataPolicySchema>;

export const toolInvocationActions = [
  'allow_when_context_is_untrusted',
  'block_when_context_is_untrusted',
  'block_always',
] as const;
export type ToolInvocationAction = (typeof toolInvocationActions)[number];

export const toolInvocationPolicySchema = z.object({
  id: z.string().min(1).max(100),
  toolName: z.string().min(1).max(200),
  description: z.string().max(1000).optional(),
  conditions: z.array(conditionSchema).max(20).default([]),
  action: z.enum(toolInvocationActions),
});
export type ToolInvocationPolicy = z.infer<typeof toolInvocationPolicySchema>;

/** A tool seen in requests of a profile, remembered so policies can be set for it. */
export const discoveredToolSchema = z.object({
  name: z.string(),
  description: z.string().optional(),
  parameters: z.unknown().optional(),
  firstSeenAt: z.string(),
  lastSeenAt: z.string(),
  schemaHash: z.string(),
});
export type DiscoveredTool = z.infer<typeof discoveredToolSchema>;

/** The security fields of a profile. */
export const profileSecuritySchema = z.object({
  tools: z.record(z.string(), discoveredToolSchema).optional(),
  trustedDataPolicies: z.array(trustedDataPolicySchema).optional(),
  toolInvocationPolicies: z.array(toolInvocationPolicySchema).optional(),
});
export type ProfileSecurity = z.infer<typeof profileSecuritySchema>;
