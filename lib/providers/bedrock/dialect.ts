import type { ErrorKind } from '../../errors/sluice-error.ts';
import type { Dialect } from '../types.ts';
import { exceptionFrame } from './event-stream-codec.ts';

/** Bedrock Runtime's error shapes, so that the AWS SDK raises its own typed exception. */
const errorTypeOfKind: Record<ErrorKind, string> = {
  bad_request: 'ValidationException',
  unauthorized: 'AccessDeniedException',
  forbidden: 'AccessDeniedException',
  not_found: 'ResourceNotFoundException',
  method_not_allowed: 'ValidationException',
  payload_too_large: 'ValidationException',
  limit_exceeded: 'ServiceQuotaExceededException',
  upstream_error: 'ServiceUnavailableException',
  timeout: 'ModelTimeoutException',
  internal: 'InternalServerException',
};

/** The ConverseStream union members an error mid-stream can be. */
const streamExceptionOfKind: Record<ErrorKind, string> = {
  bad_request: 'validationException',
  unauthorized: 'validationException',
  forbidden: 'validationException',
  not_found: 'validationException',
  method_not_allowed: 'validationException',
  payload_too_large: 'validationException',
  limit_exceeded: 'throttlingException',
  upstream_error: 'modelStreamErrorException',
  timeout: 'modelStreamErrorException',
  internal: 'internalServerException',
};

/** AWS's REST-JSON errors: the type in `x-amzn-errortype`, the text in `{"message"}`. */
export const awsDialect: Dialect = {
  renderError(error) {
    return {
      status: error.status,
      headers: { 'content-type': 'application/json', 'x-amzn-errortype': errorTypeOfKind[error.kind] },
      body: JSON.stringify({ message: error.message }),
    };
  },
  streamError(error) {
    return exceptionFrame(streamExceptionOfKind[error.kind], error.message);
  },
};
