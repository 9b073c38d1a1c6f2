import type { ErrorKind, SluiceError } from '../../errors/sluice-error.ts';
import type { Dialect } from '../types.ts';

const typeOfKind: Record<ErrorKind, string> = {
  bad_request: 'invalid_request_error',
  unauthorized: 'authentication_error',
  forbidden: 'permission_error',
  not_found: 'invalid_request_error',
  method_not_allowed: 'invalid_request_error',
  payload_too_large: 'invalid_request_error',
  limit_exceeded: 'insufficient_quota',
  upstream_error: 'api_error',
  timeout: 'timeout_error',
  internal: 'server_error',
};

function errorObject(error: SluiceError) {
  return {
    error: {
      message: error.message,
      type: typeOfKind[error.kind],
      param: error.param ?? null,
      code: error.code ?? error.kind,
    },
  };
}

/** OpenAI's error object: `{"error":{"message","type","param","code"}}`, also used by every OpenAI-compatible route. */
export const openAiDialect: Dialect = {
  renderError(error) {
    return {
      status: error.status,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(errorObject(error)),
    };
  },
  streamError(error) {
    // The openai SDKs raise an APIError for a data event that carries `error`.
    return Buffer.from(`data: ${JSON.stringify(errorObject(error))}\n\n`);
  },
};
