import type { z } from 'zod';
import { SluiceError } from '../../errors/sluice-error.ts';

export type JsonObject = Record<string, unknown>;

/**
 * JSON text is UTF-8 (RFC 8259). Bytes that are not are refused rather than read with U+FFFD in
 * their place: the policies would otherwise judge other text than the one the upstream decodes
 * from the bytes Sluice forwards. A BOM is kept, so that JSON.parse refuses it as it always did.
 */
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Parses a request body that must be one JSON object; anything else is a 400 that says why. */
export function parseJsonObject(body: Buffer): JsonObject {
  if (body.byteLength === 0) {
    throw new SluiceError('bad_request', 'The request body is empty; expected a JSON object.', { code: 'invalid_json' });
  }
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    throw new SluiceError('bad_request', 'The request body is not valid UTF-8; JSON must be.', { code: 'invalid_json' });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
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
