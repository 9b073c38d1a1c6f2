import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LambdaFunctionURLEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { functionUrlEvent, functionUrlTime } from '../../bin/local/function-url-event.ts';
import { requestFromFunctionUrlEvent } from '../../lib/http/request.ts';

const lambdaEvent = (body: string | undefined, isBase64Encoded: boolean): LambdaFunctionURLEvent =>
  ({
    rawPath: '/v1/openai/chat/completions',
    rawQueryString: '',
    headers: { 'content-type': 'application/json' },
    isBase64Encoded,
    body,
    requestContext: { http: { method: 'POST', path: '/v1/openai/chat/completions', sourceIp: '10.0.0.1' }, requestId: 'r-1' },
  }) as unknown as LambdaFunctionURLEvent;

/** The event the local server makes for one request with this body and content type. */
async function localEvent(body: Buffer, contentType: string): Promise<LambdaFunctionURLEvent> {
  let event: LambdaFunctionURLEvent | undefined;
  const server = http.createServer((req, res) => {
    event = functionUrlEvent(req, body, 'local');
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await fetch(`http://127.0.0.1:${port}/v1/x`, { method: 'POST', headers: { 'content-type': contentType }, body });
  await new Promise((resolve) => server.close(resolve));
  return event!;
}

describe('a request from a Function URL event', () => {
  it('takes a text body as UTF-8 bytes', () => {
    const text = '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"héllo ✓"}]}';
    const request = requestFromFunctionUrlEvent(lambdaEvent(text, false));
    expect(request.body.equals(Buffer.from(text))).toBe(true);
  });

  it('decodes a base64 body', () => {
    const bytes = Buffer.from([0, 1, 2, 250, 255]);
    const request = requestFromFunctionUrlEvent(lambdaEvent(bytes.toString('base64'), true));
    expect(request.body.equals(bytes)).toBe(true);
  });

  it('has an empty body when the event has none', () => {
    expect(requestFromFunctionUrlEvent(lambdaEvent(undefined, false)).body.byteLength).toBe(0);
  });

  it('takes the very bytes the local server read, while its event still shows the body as Lambda would', async () => {
    const json = Buffer.from('{"a":"✓"}');
    const event = await localEvent(json, 'application/json');
    expect(requestFromFunctionUrlEvent(event).body).toBe(json);
    expect(event).toMatchObject({ body: '{"a":"✓"}', isBase64Encoded: false });

    const binary = Buffer.from([0, 159, 146, 150]);
    const binaryEvent = await localEvent(binary, 'application/octet-stream');
    expect(requestFromFunctionUrlEvent(binaryEvent).body).toBe(binary);
    expect(binaryEvent).toMatchObject({ body: binary.toString('base64'), isBase64Encoded: true });
  });
});

describe('the local server\'s Function URL event', () => {
  it('dates the request as Function URLs do, in UTC', async () => {
    expect(functionUrlTime(new Date(Date.UTC(2020, 2, 12, 19, 3, 58, 390)))).toBe('12/Mar/2020:19:03:58 +0000');
    expect(functionUrlTime(new Date(Date.UTC(2026, 0, 5, 4, 0, 9)))).toBe('05/Jan/2026:04:00:09 +0000');
    const event = await localEvent(Buffer.from('{}'), 'application/json');
    const { time, timeEpoch } = event.requestContext;
    expect(time).toMatch(/^\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/);
    expect(time).toBe(functionUrlTime(new Date(timeEpoch)));
  });
});
