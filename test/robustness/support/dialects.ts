import * as z from 'zod';
import type { CapturedResponse } from './lambda-invoke.ts';

export type DialectName = 'openai' | 'anthropic' | 'google' | 'aws' | 'cohere';

/** The dialect each route segment speaks its errors in. */
export function dialectOfProvider(provider: string): DialectName {
  switch (provider) {
    case 'anthropic':
      return 'anthropic';
    case 'gemini':
      return 'google';
    case 'bedrock':
      return 'aws';
    case 'cohere':
      return 'cohere';
    default:
      return 'openai';
  }
}

const message = z.string().min(1);

/** Each dialect's error object, exactly as its official SDK reads it. */
const errorBodies: Record<DialectName, z.ZodType> = {
  openai: z.strictObject({
    error: z.strictObject({ message, type: z.string().min(1), param: z.string().nullable(), code: z.string().nullable() }),
  }),
  anthropic: z.strictObject({
    type: z.literal('error'),
    error: z.strictObject({
      type: z.enum([
        'invalid_request_error',
        'authentication_error',
        'permission_error',
        'not_found_error',
        'request_too_large',
        'rate_limit_error',
        'billing_error',
        'api_error',
        'overloaded_error',
        'timeout_error',
      ]),
      message,
    }),
  }),
  google: z.strictObject({
    error: z.strictObject({
      code: z.number().int(),
      message,
      status: z.string().regex(/^[A-Z_]+$/),
      details: z.array(z.looseObject({ '@type': z.string() })).optional(),
    }),
  }),
  aws: z.strictObject({ message }),
  cohere: z.strictObject({ message }),
};

/**
 * Why a response is not a well-formed error of the dialect, or undefined when it is: a 4xx or a
 * 502/504 (never 500), JSON, the dialect's shape, and the dialect's extras (Google repeats the
 * status in `code`; AWS names the exception in `x-amzn-errortype`).
 */
export function dialectErrorProblem(dialect: DialectName, response: CapturedResponse): string | undefined {
  const { status, headers, body } = response;
  if (!((status >= 400 && status < 500) || status === 502 || status === 504)) return `status ${status}`;
  if (!(headers['content-type'] ?? '').startsWith('application/json')) return `content-type ${headers['content-type']}`;
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    return `body is not JSON: ${body.toString('utf8', 0, 200)}`;
  }
  const parsed = errorBodies[dialect].safeParse(json);
  if (!parsed.success) return `not a ${dialect} error: ${body.toString('utf8', 0, 300)} (${parsed.error.issues[0]?.message})`;
  if (dialect === 'google' && (json as { error: { code: number } }).error.code !== status) return 'google error code differs from the status';
  if (dialect === 'aws' && !/^[A-Za-z]+Exception$/.test(headers['x-amzn-errortype'] ?? '')) {
    return `x-amzn-errortype ${headers['x-amzn-errortype']}`;
  }
  return undefined;
}
