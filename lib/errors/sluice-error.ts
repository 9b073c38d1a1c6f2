/**
 * Errors are values with a dialect-neutral kind; each route renders them in its own dialect
 * (see lib/providers/<provider>/dialect.ts).
 */
export type ErrorKind =
  | 'bad_request'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'method_not_allowed'
  | 'payload_too_large'
  | 'limit_exceeded'
  | 'upstream_error'
  | 'timeout'
  | 'internal';

export const statusOfKind: Record<ErrorKind, number> = {
  bad_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  payload_too_large: 413,
  // 402: a status the official SDKs do not retry, unlike 429.
  limit_exceeded: 402,
  upstream_error: 502,
  timeout: 504,
  internal: 500,
};

export interface SluiceErrorDetails {
  /** The request field at fault, when there is one (OpenAI's `param`). */
  param?: string;
  /** A machine-readable code (OpenAI's `code`). */
  code?: string;
  /** Overrides the status implied by the kind. */
  status?: number;
  cause?: unknown;
}

export class SluiceError extends Error {
  override name = 'SluiceError';
  readonly kind: ErrorKind;
  readonly status: number;
  readonly param: string | undefined;
  readonly code: string | undefined;

  constructor(kind: ErrorKind, message: string, details: SluiceErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.kind = kind;
    this.status = details.status ?? statusOfKind[kind];
    this.param = details.param;
    this.code = details.code;
  }
}

export function asSluiceError(error: unknown): SluiceError {
  if (error instanceof SluiceError) return error;
  return new SluiceError('internal', 'Sluice failed to handle the request.', { cause: error });
}
