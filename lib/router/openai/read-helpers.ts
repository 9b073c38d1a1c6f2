import { SluiceError } from '../../errors/sluice-error.ts';
import type { ImageSource } from '../neutral.ts';

/** A 400 about one field of the client's request. */
export function invalid(param: string, message: string, code = 'invalid_value'): SluiceError {
  return new SluiceError('bad_request', `Invalid value for '${param}': ${message}`, { param, code });
}

/** A 400 for something the chosen provider's API has no way to carry. */
export function notCarried(param: string, providerName: string, what: string): SluiceError {
  return new SluiceError('bad_request', `The model router cannot carry ${what} to ${providerName}, so the request is refused rather than sent without it.`, {
    param,
    code: 'unsupported_parameter',
  });
}

export const isObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

/** Set and not null. */
export const given = (value: unknown): boolean => value !== undefined && value !== null;

export function optionalNumber(json: Record<string, unknown>, field: string, param = field): number | undefined {
  const value = json[field];
  if (!given(value)) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw invalid(param, 'expected a number.');
  return value;
}

export function optionalInteger(json: Record<string, unknown>, field: string, param = field): number | undefined {
  const value = optionalNumber(json, field, param);
  if (value !== undefined && (!Number.isInteger(value) || value < 1)) throw invalid(param, 'expected a positive integer.');
  return value;
}

export function optionalBoolean(json: Record<string, unknown>, field: string, param = field): boolean | undefined {
  const value = json[field];
  if (!given(value)) return undefined;
  if (typeof value !== 'boolean') throw invalid(param, 'expected a boolean.');
  return value;
}

export function requiredString(value: unknown, param: string): string {
  if (typeof value !== 'string') throw invalid(param, 'expected a string.');
  return value;
}

/** `stop`: a string or an array of strings. */
export function stopSequences(value: unknown, param: string): string[] | undefined {
  if (!given(value)) return undefined;
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return value.length > 0 ? (value as string[]) : undefined;
  throw invalid(param, 'expected a string or an array of strings.');
}

const DATA_URL = /^data:([^;,]+)((?:;[^;,]*)*),(.*)$/s;

/** An image given by URL: a base64 `data:` URL (its bytes) or an http(s) URL (fetched or passed on). */
export function imageSource(url: string, param: string): ImageSource {
  if (url.startsWith('data:')) {
    const match = DATA_URL.exec(url);
    const params = match?.[2]?.split(';') ?? [];
    if (!match || !params.includes('base64')) {
      throw invalid(param, 'a data URL image must be base64-encoded (data:image/png;base64,...).');
    }
    const mediaType = match[1]!.toLowerCase();
    if (!mediaType.startsWith('image/')) throw invalid(param, `a data URL of type ${mediaType} is not an image.`);
    return { kind: 'data', mediaType, base64: match[3]!.replace(/\s+/g, '') };
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalid(param, 'expected an http(s) URL or a data URL.');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw invalid(param, `images are accepted as http(s) or data URLs, not ${parsed.protocol} URLs.`);
  }
  return { kind: 'url', url: parsed.href };
}

/**
 * Refuses every field the reader neither reads nor knowingly ignores (a null counts as absent):
 * nothing a client sends is silently dropped on its way to another provider.
 */
export function refuseUnread(
  json: Record<string, unknown>,
  read: ReadonlySet<string>,
  ignored: ReadonlySet<string>,
  providerName: string,
): void {
  for (const field of Object.keys(json)) {
    if (read.has(field) || ignored.has(field) || json[field] === null) continue;
    throw notCarried(field, providerName, `'${field}'`);
  }
}

/**
 * The text of a content that is a string or an array of text parts (of the given types, and
 * `refusal` parts when allowed); any other part cannot be carried there.
 */
export function textOfParts(
  content: unknown,
  param: string,
  providerName: string,
  options: { textTypes: ReadonlySet<string>; allowRefusal: boolean },
): string {
  if (typeof content === 'string') return content;
  if (!given(content)) return '';
  if (!Array.isArray(content)) throw invalid(param, 'expected a string or an array of content parts.');
  return content
    .map((part: unknown, i) => {
      const at = `${param}[${i}]`;
      if (!isObject(part)) throw invalid(at, 'expected a content part object.');
      if (options.textTypes.has(part.type as string)) return requiredString(part.text, `${at}.text`);
      if (options.allowRefusal && part.type === 'refusal') return requiredString(part.refusal, `${at}.refusal`);
      throw notCarried(at, providerName, `a '${String(part.type)}' content part here`);
    })
    .join('');
}
