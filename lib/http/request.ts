import type { LambdaFunctionURLEvent } from 'aws-lambda';

/**
 * Where a carrier that already holds an event's body as bytes (the local server, which reads them
 * from its socket) puts them beside the event, so the body is not decoded to text and encoded back.
 */
export const EVENT_BODY_BYTES = Symbol.for('sluice.eventBodyBytes');

/** A request as the engine sees it, whatever carried it (a Function URL event, locally or on AWS). */
export interface SluiceRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  /** Lower-case names; repeated headers joined with ", " as Function URLs do. */
  headers: Record<string, string>;
  body: Buffer;
  sourceIp: string;
  /** The IAM identity (ARN) an AWS_IAM Function URL authenticated; the local server sets it for admin calls. */
  caller?: string;
  requestId: string;
  receivedAt: number;
}

export function requestFromFunctionUrlEvent(
  event: LambdaFunctionURLEvent,
  receivedAt: number = performance.now(),
): SluiceRequest {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(event.headers ?? {})) {
    if (value !== undefined) headers[name.toLowerCase()] = value;
  }
  if (event.cookies?.length && headers.cookie === undefined) headers.cookie = event.cookies.join('; ');
  const body = (event as { [EVENT_BODY_BYTES]?: Buffer })[EVENT_BODY_BYTES] ?? bodyBytes(event);
  return {
    method: event.requestContext.http.method.toUpperCase(),
    path: event.rawPath || event.requestContext.http.path || '/',
    query: new URLSearchParams(event.rawQueryString ?? ''),
    headers,
    body,
    sourceIp: event.requestContext.http.sourceIp,
    caller: (event.requestContext as { authorizer?: { iam?: { userArn?: string } } }).authorizer?.iam?.userArn,
    requestId: event.requestContext.requestId,
    receivedAt,
  };
}

function bodyBytes(event: LambdaFunctionURLEvent): Buffer {
  if (event.body === undefined || event.body === null) return Buffer.alloc(0);
  return Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8');
}
