import type { SluiceError } from '../../errors/sluice-error.ts';
import type { Dialect } from '../types.ts';

/**
 * Cohere's error body, `{"message": "..."}`. cohere-ai picks its error class from the status alone
 * (400 BadRequestError, 401 UnauthorizedError, 403 ForbiddenError, 404 NotFoundError, 429
 * TooManyRequestsError, 500 InternalServerError, 504 GatewayTimeoutError, others CohereError).
 */
export const cohereDialect: Dialect = {
  renderError(error) {
    return {
      status: error.status,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ message: error.message }),
    };
  },
  streamError: cohereV2StreamError,
};

/**
 * A v2 stream that broke ends the way Cohere ends a failed generation: a `message-end` event with
 * finish reason ERROR and the error's message.
 */
export function cohereV2StreamError(error: SluiceError): Buffer {
  const event = { type: 'message-end', delta: { finish_reason: 'ERROR', error: error.message } };
  return Buffer.from(`event: message-end\ndata: ${JSON.stringify(event)}\n\n`);
}

/** The same for a v1 stream (NDJSON): a `stream-end` line with finish reason ERROR. */
export function cohereV1StreamError(error: SluiceError): Buffer {
  const event = {
    is_finished: true,
    event_type: 'stream-end',
    finish_reason: 'ERROR',
    error: error.message,
    response: { text: '', finish_reason: 'ERROR' },
  };
  return Buffer.from(`${JSON.stringify(event)}\n`);
}
