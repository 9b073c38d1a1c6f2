import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Context, LambdaFunctionURLEvent } from 'aws-lambda';
import type { Writable } from 'node:stream';
import { loadConfig, type Config } from '../../lib/config/index.ts';
import { adminFunction, pathFunctions, proxyFunctions, type FunctionSpec } from '../../lib/function-catalog.ts';
import { getRuntime, useRuntimeServices } from '../../lib/runtime.ts';
import type { Interaction } from '../../lib/interactions/interaction.ts';
import type { RecordWriter } from '../../lib/interactions/record-writer.ts';
import { createLogger, type Logger } from '../../lib/observability/logger.ts';
import { guardedMetricsPublisher } from '../../lib/observability/request-metrics.ts';
import { providerSegment } from '../../lib/proxy/route.ts';
import { createTables, startEmbeddedDynamoDb, type EmbeddedDynamoDb } from './embedded-dynamodb.ts';
import { installAwsLambdaShim, LocalResponseStream } from './awslambda-shim.ts';
import { functionUrlEvent } from './function-url-event.ts';
import { ensureAdminToken } from './admin-token.ts';
import { LocalAdminGate } from './admin-gate.ts';
import { localSecretServices } from './local-secrets.ts';

/** A Lambda invoke payload is at most 6 MB; a larger Function URL request never reaches the handler. */
const LAMBDA_PAYLOAD_LIMIT = 6_291_456;

type StreamingHandler = (event: LambdaFunctionURLEvent, stream: Writable, context: Context) => Promise<void>;

export interface LocalServerOptions {
  /** Overrides of the environment for this server (tests); merged over process.env. */
  env?: Record<string, string | undefined>;
  /** Keep the embedded DynamoDB in memory instead of under SLUICE_DATA_DIR. */
  inMemoryStorage?: boolean;
}

export interface LocalServer {
  url: string;
  port: number;
  config: Config;
  functions: ReadonlyArray<FunctionSpec>;
  /** Resolves once no handler is running (each handler writes its record after its response ended). */
  idle(): Promise<void>;
  close(): Promise<void>;
}

function lambdaContext(spec: { name: string }, requestId: string): Context {
  const deadline = Date.now() + 900_000;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: `sluice-${spec.name}`,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:sluice-${spec.name}`,
    memoryLimitInMB: '1024',
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/sluice-${spec.name}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** Logs a record the embedded DynamoDB's worker could not be handed (it logs the failures it meets itself). */
function lostRecordLogger(logger: Logger): (record: Interaction, reason: string) => void {
  return (record, reason) =>
    logger.error('interaction record write failed', { interactionId: record.id, profileId: record.profileId, error: reason });
}

/** The embedded DynamoDB's record writer; it publishes the records' metrics too when they are on. */
function embeddedRecordWriter(dynamo: EmbeddedDynamoDb, config: Config): RecordWriter {
  const logger = createLogger(config);
  return dynamo.connectRecordWriter(
    lostRecordLogger(logger),
    config.observability.metricsEnabled ? guardedMetricsPublisher(logger) : undefined,
  );
}

/** Reads a request body up to Lambda's payload limit; undefined when it is larger. */
function readRequestBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const declared = Number(req.headers['content-length']);
  if (declared > LAMBDA_PAYLOAD_LIMIT) return Promise.resolve(undefined);
  // Events rather than `for await`: most bodies are one chunk, and the async iterator costs more than reading it.
  return new Promise((resolveBody, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.byteLength;
      if (size > LAMBDA_PAYLOAD_LIMIT) {
        req.off('data', onData);
        req.resume();
        resolveBody(undefined);
        return;
      }
      chunks.push(chunk);
    };
    req.on('data', onData);
    req.once('end', () => resolveBody(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size)));
    req.once('error', reject);
    req.once('close', () => {
      if (!req.complete) reject(new Error('the client closed the connection before sending the whole body'));
    });
  });
}

/**
 * Sluice on a laptop: the production Lambda handlers from functions/ behind a Node HTTP server,
 * with the `awslambda` streaming global shimmed and an embedded DynamoDB.
 */
export async function startLocalServer(options: LocalServerOptions = {}): Promise<LocalServer> {
  if (options.env) {
    for (const [name, value] of Object.entries(options.env)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
  const baseConfig = loadConfig();
  let dynamo: EmbeddedDynamoDb | undefined;
  if (!baseConfig.storage.endpoint) {
    dynamo = await startEmbeddedDynamoDb(
      options.inMemoryStorage ? undefined : join(resolve(baseConfig.server.dataDir), 'dynamodb'),
    );
    process.env.SLUICE_DYNAMODB_ENDPOINT = dynamo.endpoint;
  }
  const config = loadConfig();
  // The embedded store is reached over a MessagePort, and writes the records in its own thread;
  // one named by SLUICE_DYNAMODB_ENDPOINT is reached over HTTP, with records written from here.
  useRuntimeServices((runtimeConfig) => ({
    ...localSecretServices(runtimeConfig),
    storageRequestHandler: dynamo?.connect(),
    recordWriter: dynamo && embeddedRecordWriter(dynamo, runtimeConfig),
  }));
  const adminGate = new LocalAdminGate(ensureAdminToken(config.server.dataDir), config);
  await createTables(config.storage.endpoint!, config, dynamo?.connect());
  await getRuntime().profiles.ensureDefault();

  installAwsLambdaShim();
  const handlers = new Map<string, { spec: FunctionSpec; handler: StreamingHandler }>();
  for (const spec of proxyFunctions) {
    const module = (await import(new URL(`../../${spec.entry}`, import.meta.url).href)) as { handler: StreamingHandler };
    for (const route of spec.routes) handlers.set(route, { spec, handler: module.handler });
  }
  const pathHandlers: Array<{ spec: FunctionSpec; handler: StreamingHandler }> = [];
  for (const spec of pathFunctions) {
    const module = (await import(new URL(`../../${spec.entry}`, import.meta.url).href)) as { handler: StreamingHandler };
    pathHandlers.push({ spec, handler: module.handler });
  }

  let domain = '';
  let running = 0;
  const idleWaiters: Array<() => void> = [];
  const handlerDone = () => {
    running--;
    if (running === 0) for (const resolveIdle of idleWaiters.splice(0)) resolveIdle();
  };
  // Room for the request line above Sluice's own header limit, so that it answers in the route's dialect.
  const server = http.createServer({ maxHeaderSize: config.limits.maxHeaderBytes + 16 * 1024 }, async (req, res) => {
    try {
      const path = (req.url ?? '/').split('?', 1)[0]!;
      if (path === '/health' && (req.method === 'GET' || req.method === 'HEAD')) {
        return sendJson(res, 200, { status: 'ok' });
      }
      const segment = providerSegment(path);
      const target =
        segment === undefined
          ? pathHandlers.find((p) => p.spec.pathPrefixes?.some((prefix) => `${path}/`.startsWith(prefix)))
          : handlers.get(segment);
      if (!target) {
        return sendJson(res, 404, {
          error: { message: `No route at ${req.method} ${path}.`, type: 'invalid_request_error', param: null, code: 'unknown_route' },
        });
      }
      const refusal = target.spec === adminFunction ? adminGate.refusal(req) : undefined;
      if (refusal) return sendJson(res, refusal.status, { error: { code: refusal.code, message: refusal.message } });
      const body = await readRequestBody(req);
      if (!body) {
        return sendJson(res, 413, { message: `Request must be smaller than ${LAMBDA_PAYLOAD_LIMIT} bytes for the InvokeFunction operation` });
      }
      const event = functionUrlEvent(req, body, domain);
      if (target.spec === adminFunction) LocalAdminGate.authenticate(event);
      const stream = new LocalResponseStream(res);
      running++;
      try {
        await target.handler(event, stream, lambdaContext(target.spec, event.requestContext.requestId || randomUUID()));
      } finally {
        handlerDone();
      }
      if (!stream.writableEnded && !stream.destroyed) stream.end();
    } catch (error) {
      getRuntime().logger.error('local server failed to serve a request', {
        error: error instanceof Error ? error.message : String(error),
      });
      if (!res.headersSent) sendJson(res, 500, { message: 'Internal server error' });
      else res.destroy();
    }
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(config.server.port, config.server.host, () => resolveListen());
  });
  const { port } = server.address() as AddressInfo;
  const host = config.server.host.includes(':') ? `[${config.server.host}]` : config.server.host;
  domain = `${host}:${port}`;

  return {
    url: `http://${domain}`,
    port,
    config,
    functions: proxyFunctions,
    idle: () => (running === 0 ? Promise.resolve() : new Promise<void>((resolveIdle) => idleWaiters.push(resolveIdle))),
    async close() {
      if (running > 0) await new Promise<void>((resolveIdle) => idleWaiters.push(resolveIdle));
      await new Promise<void>((done) => {
        server.close(() => done());
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), 2000).unref();
      });
      useRuntimeServices(undefined);
      await dynamo?.close();
    },
  };
}
