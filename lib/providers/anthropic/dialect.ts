import type { ErrorKind, SluiceError } from '../../errors/sluice-error.ts';
import type { Dialect } from '../types.ts';

/** Anthropic's error types (https://docs.anthropic.com/en/api/errors) for each of Sluice's kinds. */
const typeOfKind: Record<ErrorKind, string> = {
  bad_request: 'invalid_request_error',
  unauthorized: 'authentication_error',
  forbidden: 'permission_error',
  not_found: 'not_found_error',
  method_not_allowed: 'invalid_request_error',
  payload_too_large: 'request_too_large',
  limit_exceeded: 'billing_error',
  upstream_error: 'api_error',
  timeout: 'timeout_error',
  internal: 'api_error',
};

function errorBody(error: SluiceError): string {
  return JSON.stringify({ type: 'error', error: { type: typeOfKind[error.kind], message: error.message } });
}

/**
 * Anthropic's error object, `{"type":"error","error":{"type","message"}}`. The SDK picks its typed
 * error from the status; inside a stream it raises an APIError for an `error` event.
 */
export const anthropicDialect: Dialect = {
  renderError(error) {
    return { status: error.status, headers: { 'content-type': 'application/json' }, body: errorBody(error) };
  },
  streamError(error) {
    return Buffer.from(`event: error\ndata: ${errorBody(error)}\n\n`);
  },
};
