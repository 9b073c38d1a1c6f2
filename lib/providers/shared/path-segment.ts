import { SluiceError } from '../../errors/sluice-error.ts';

/**
 * A client's value (a model, a deployment) as one segment of the upstream URL. A string with a
 * lone UTF-16 surrogate (`"\ud800"` in JSON, or in a raw path) has no UTF-8 form, so no URL can
 * carry it: that is the client's error, said as such, not a URIError.
 */
export function pathSegment(value: string, param: string): string {
  try {
    return encodeURIComponent(value);
  } catch {
    throw new SluiceError('bad_request', `Invalid value for '${param}': it is not well-formed Unicode (a lone surrogate).`, {
      param,
      code: 'invalid_value',
    });
  }
}
