import type { IncomingMessage } from 'node:http';
import type { LambdaFunctionURLEvent } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import { EVENT_BODY_BYTES } from '../../lib/http/request.ts';

/** Content types a Function URL passes as text; everything else arrives base64-encoded. */
const TEXT_TYPES = /^(text\/|application\/(json|.*\+json|xml|.*\+xml|javascript|x-www-form-urlencoded)\b)/i;

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const twoDigits = (n: number) => (n < 10 ? `0${n}` : String(n));

/** `requestContext.time` as Function URLs write it: `12/Mar/2020:19:03:58 +0000`. */
export function functionUrlTime(date: Date): string {
  const day = `${twoDigits(date.getUTCDate())}/${MONTHS[date.getUTCMonth()]}/${date.getUTCFullYear()}`;
  return `${day}:${twoDigits(date.getUTCHours())}:${twoDigits(date.getUTCMinutes())}:${twoDigits(date.getUTCSeconds())} +0000`;
}

/** The payload-2.0 event a Lambda Function URL would deliver for this request. */
export function functionUrlEvent(req: IncomingMessage, body: Buffer, domain: string): LambdaFunctionURLEvent {
  const url = req.url ?? '/';
  const queryStart = url.indexOf('?');
  const rawPath = queryStart < 0 ? url : url.slice(0, queryStart);
  const rawQueryString = queryStart < 0 ? '' : url.slice(queryStart + 1);
  const headers: Record<string, string> = {};
  let cookies: string[] | undefined;
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i]!.toLowerCase();
    const value = req.rawHeaders[i + 1]!;
    if (name === 'cookie') {
      (cookies ??= []).push(...value.split(/;\s*/));
      continue;
    }
    headers[name] = headers[name] === undefined ? value : `${headers[name]},${value}`;
  }
  const queryStringParameters: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(rawQueryString)) {
    queryStringParameters[key] = queryStringParameters[key] === undefined ? value : `${queryStringParameters[key]},${value}`;
  }
  const text = TEXT_TYPES.test(headers['content-type'] ?? '');
  const now = new Date();
  const event = {
    version: '2.0',
    routeKey: '$default',
    rawPath,
    rawQueryString,
    cookies,
    headers,
    queryStringParameters: rawQueryString ? queryStringParameters : undefined,
    requestContext: {
      accountId: 'anonymous',
      apiId: 'local',
      domainName: domain,
      domainPrefix: 'local',
      http: {
        method: req.method ?? 'GET',
        path: rawPath,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey: '$default',
      stage: '$default',
      time: functionUrlTime(now),
      timeEpoch: now.getTime(),
    },
    isBase64Encoded: body.byteLength > 0 && !text,
  } as LambdaFunctionURLEvent;
  // The body as Lambda gives it (text or base64), made only if something reads it: the handler
  // takes the bytes themselves.
  let encoded: string | undefined;
  Object.defineProperty(event, 'body', {
    enumerable: true,
    get: () => (body.byteLength === 0 ? undefined : (encoded ??= body.toString(text ? 'utf8' : 'base64'))),
  });
  Object.defineProperty(event, EVENT_BODY_BYTES, { value: body });
  return event;
}
