import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getRuntime } from '../../lib/runtime.ts';
import { FAULT_CASE_HEADER, FAULT_HEADER, FaultyUpstream, streamFormats, type Fault, type FormatName } from '../fakes/faults.ts';
import { startGateway, type TestGateway } from '../support/gateway.ts';
import { routes } from './support/fault-routes.ts';
import { CapturingResponseStream, functionUrlEvent, invoke, type StreamingHandler } from './support/lambda-invoke.ts';

/*
 * A client that goes away mid-stream: Sluice stops reading from the upstream (its connection to
 * the fake closes) and records the interaction as cancelled, with the tokens seen so far. Over
 * HTTP the upstream keeps sending (a body that never ends); through the handler it has gone quiet
 * (a stall), so only the client's leaving can end the call.
 */

const formats = Object.keys(routes) as FormatName[];
let upstream: FaultyUpstream;
let gateway: TestGateway;

beforeAll(async () => {
  upstream = await new FaultyUpstream().start();
  gateway = await startGateway({
    SLUICE_OPENAI_BASE_URL: `${upstream.url('openai')}/v1`,
    SLUICE_ANTHROPIC_BASE_URL: upstream.url('anthropic'),
    SLUICE_GEMINI_BASE_URL: upstream.url('gemini'),
    SLUICE_BEDROCK_BASE_URL: upstream.url('bedrock'),
    SLUICE_BEDROCK_REGION: 'us-east-1',
    SLUICE_COHERE_BASE_URL: upstream.url('cohere'),
  });
});

afterAll(async () => {
  await gateway?.close();
  await upstream?.close();
});

const headBytes = (format: FormatName) => Buffer.concat(streamFormats[format].events.slice(0, streamFormats[format].head)).byteLength;

function headersFor(format: FormatName, fault: Fault, caseId: string): Record<string, string> {
  return { 'content-type': 'application/json', ...routes[format].headers, [FAULT_HEADER]: fault, [FAULT_CASE_HEADER]: caseId };
}

/** Reads the answer over HTTP until the head has come, then drops the connection. Resolves to the interaction id. */
function leaveOverHttp(format: FormatName, caseId: string): Promise<string> {
  const url = new URL(gateway.url);
  const { stream } = routes[format];
  return new Promise((resolve, reject) => {
    const req = http.request({ host: url.hostname, port: url.port, method: 'POST', path: stream.path, headers: headersFor(format, 'never-ends', caseId) }, (res) => {
      let received = 0;
      res.on('data', (chunk: Buffer) => {
        received += chunk.byteLength;
        if (received >= headBytes(format)) {
          req.destroy();
          resolve(String(res.headers['x-sluice-interaction-id']));
        }
      });
      res.on('error', () => undefined);
    });
    req.on('error', (error) => {
      if (!req.destroyed) reject(error);
    });
    req.end(JSON.stringify(stream.body));
  });
}

/** Runs the production handler and destroys its response stream once the head has been written. */
async function leaveThroughHandler(format: FormatName, caseId: string): Promise<string> {
  const { stream } = routes[format];
  const [path, query = ''] = stream.path.split('?');
  const provider = path!.split('/')[2]!;
  const module = (await import(`../../functions/${provider}.ts`)) as { handler: StreamingHandler };
  const responseStream = new CapturingResponseStream();
  let received = 0;
  responseStream.onBody = (chunk) => {
    received += chunk.byteLength;
    // A little later, so that Sluice is waiting on the quiet upstream when the client goes.
    if (received >= headBytes(format)) setTimeout(() => responseStream.destroy(), 20);
  };
  const event = functionUrlEvent({ method: 'POST', path: path!, rawQueryString: query, headers: headersFor(format, 'stall', caseId), body: Buffer.from(JSON.stringify(stream.body)) });
  // The handler resolves once it has recorded the cancelled call.
  await invoke(module.handler, event, responseStream).catch(() => undefined);
  return (responseStream.response().headers['x-sluice-interaction-id'] as string | undefined) ?? '';
}

describe.each([
  ['over HTTP, the upstream still sending', leaveOverHttp],
  ['through the Lambda handler, the upstream quiet', leaveThroughHandler],
] as const)('a client that leaves mid-stream, %s', (label, leave) => {
  it.each(formats)('%s: the upstream call is aborted and the record says cancelled, with the tokens seen so far', async (format) => {
    const caseId = `${label}:${format}`;
    const interactionId = await leave(format, caseId);
    expect(await upstream.released(caseId)).toBe(true);
    await gateway.server.idle();
    const record = (await gateway.records()).find((r) => r.id === interactionId);
    expect(record).toMatchObject({ status: 200, stream: true, outcome: 'cancelled', error: { kind: 'cancelled' } });
    expect(record?.inputTokens).toBeGreaterThan(0);
    expect(record?.outputTokens).toBeGreaterThan(0);
  });
});

describe('after every client has left', () => {
  it('no upstream connection is open and Sluice holds no socket in use', async () => {
    for (let i = 0; i < 500 && upstream.openConnections > 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(upstream.openConnections).toBe(0);
    expect(getRuntime().upstream.sockets().active).toBe(0);
  });
});
