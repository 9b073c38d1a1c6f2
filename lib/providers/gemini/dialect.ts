import type { ErrorKind, SluiceError } from '../../errors/sluice-error.ts';
import type { Dialect } from '../types.ts';

/** google.rpc.Code names, as Google APIs put them in `error.status`. */
const statusOfKind: Record<ErrorKind, string> = {
  bad_request: 'INVALID_ARGUMENT',
  unauthorized: 'UNAUTHENTICATED',
  forbidden: 'PERMISSION_DENIED',
  not_found: 'NOT_FOUND',
  method_not_allowed: 'UNIMPLEMENTED',
  payload_too_large: 'INVALID_ARGUMENT',
  limit_exceeded: 'RESOURCE_EXHAUSTED',
  upstream_error: 'UNAVAILABLE',
  timeout: 'DEADLINE_EXCEEDED',
  internal: 'INTERNAL',
};

/** Google's error object: `{"error":{"code","message","status"}}`. */
export function googleErrorObject(error: SluiceError) {
  return {
    error: {
      code: error.status,
      message: error.message,
      status: statusOfKind[error.kind],
      details: [
        {
          '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
          reason: (error.code ?? error.kind).toUpperCase(),
          domain: 'sluice',
        },
      ],
    },
  };
}

/** Errors on the Gemini route, so that @google/genai raises an ApiError with the status. */
export const googleDialect: Dialect = {
  renderError(error) {
    return {
      status: error.status,
      headers: { 'content-type': 'application/json; charset=UTF-8' },
      body: JSON.stringify(googleErrorObject(error)),
    };
  },
  streamError(error) {
    // @google/genai raises an ApiError for an SSE data event that carries `error` with a numeric code.
    return Buffer.from(`data: ${JSON.stringify(googleErrorObject(error))}\n\n`);
  },
};
