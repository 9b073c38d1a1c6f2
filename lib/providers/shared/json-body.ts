import type { z } from 'zod';
import { SluiceError } from '../../errors/sluice-error.ts';

export type JsonObject = Record<string, unknown>;

/** Parses a request body that must be one JSON object; anything else is a 400 that says why. */
export function parseJsonObject(body: Buffer): JsonObject {
  if (body.byteLength === 0) {
    throw new SluiceError('bad_request', 'The request body is empty; expected a JSON object.', { code: 'invalid_json' });
  }
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw new SluiceError(
      'bad_request',
      `We could not parse the JSON body of your request: ${(error as Error).message}`,
      { code: 'invalid_json' },
    );
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new SluiceError(
      'bad_request',
      `The request body must be a JSON object, not ${value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`}.`,
      { code: 'invalid_json' },
    );
  }
  return value as JsonObject;
}

/** Checks the fields Sluice relies on; the rest of the body passes through untouched. */
export function validateFields<T extends z.ZodType>(schema: T, body: JsonObject): z.output<T> {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const param = issue.path.map(String).join('.');
  throw new SluiceError('bad_request', `Invalid value for '${param || 'body'}': ${issue.message}.`, {
    param: param || undefined,
    code: 'invalid_value',
  });
}
