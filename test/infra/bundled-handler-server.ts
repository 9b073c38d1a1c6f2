import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Writable } from 'node:stream';
import type { Context, LambdaFunctionURLEvent } from 'aws-lambda';
import { installAwsLambdaShim, LocalResponseStream } from '../../bin/local/awslambda-shim.ts';
import { functionUrlEvent } from '../../bin/local/function-url-event.ts';

export type BundledHandler = (event: LambdaFunctionURLEvent, stream: Writable, context: Context) => Promise<void>;

/** Imports a built bundle as Lambda would: an ES module, with the `awslambda` global in place. */
export async function importBundle(file: string): Promise<{ handler?: BundledHandler }> {
  installAwsLambdaShim();
  return (await import(new URL(`file://${file}`).href)) as { handler?: BundledHandler };
}

const context = {
  callbackWaitsForEmptyEventLoop: false,
  functionName: 'sluice-bundle-test',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:local:000000000000:function:sluice-bundle-test',
  memoryLimitInMB: '1024',
  awsRequestId: 'bundle-test',
  logGroupName: '/aws/lambda/sluice-bundle-test',
  logStreamName: 'local',
  getRemainingTimeInMillis: () => 900_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
} satisfies Context;

/** A bundled handler behind an HTTP server, fed Function URL events as the local server feeds the sources. */
export async function serveBundledHandler(handler: BundledHandler): Promise<{ url: string; close(): Promise<void> }> {
  let domain = '';
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
    const stream = new LocalResponseStream(res);
    await handler(functionUrlEvent(req, Buffer.concat(chunks), domain), stream, context);
    if (!stream.writableEnded && !stream.destroyed) stream.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  domain = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: `http://${domain}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
