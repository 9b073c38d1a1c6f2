import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import type { AddressInfo } from 'node:net';
import dynalite from 'dynalite';
import { loadConfig } from '../../lib/config/index.ts';
import type { Interaction } from '../../lib/interactions/interaction.ts';
import { InteractionStore } from '../../lib/interactions/interaction-store.ts';
import { createLogger } from '../../lib/observability/logger.ts';
import { guardedMetricsPublisher } from '../../lib/observability/request-metrics.ts';
import { createDocumentClient } from '../../lib/storage/dynamo.ts';
import { RequestListenerHttpHandler } from './request-listener-http-handler.ts';
import { serveRequestListenerOverPort, type InMemoryRequestListener } from './request-listener-over-port.ts';
import { serveRecordWritesOverPort } from './worker-record-writer.ts';

// Powertools Metrics reads the environment on every metric it stores, ≈45 reads a record. A
// worker's process.env is its own copy, behind native accessors (≈0.4 µs a read); a plain object
// with the same values is read in a fraction of that.
process.env = { ...process.env };

/**
 * dynalite in a worker thread, so storage work runs beside the gateway's event loop, not on it.
 * It answers over TCP (the CLI, tests, SLUICE_DYNAMODB_ENDPOINT users) and over MessagePorts
 * the gateway connects with (`{ connect: port }`), where the same request listener serves
 * in-memory requests. It also writes interaction records (`{ records: port }`): lib's
 * InteractionStore, through @aws-sdk/lib-dynamodb, with a client in this thread whose requests go
 * straight to dynalite's request listener.
 */
const { directory } = workerData as { directory: string | undefined };
const server = dynalite({ path: directory, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
const listener = server.listeners('request')[0] as InMemoryRequestListener;
const connections = new Set<MessagePort>();
let records: { store: InteractionStore; publishMetrics: (record: Interaction) => void } | undefined;

/** What every record connection shares, made on first use: the store (the endpoint is only needed to sign) and the metrics publisher. */
function recordServices(): NonNullable<typeof records> {
  if (!records) {
    const { port } = server.address() as AddressInfo;
    const config = loadConfig({ ...process.env, SLUICE_DYNAMODB_ENDPOINT: `http://127.0.0.1:${port}` });
    const db = createDocumentClient(config, new RequestListenerHttpHandler(listener));
    const logger = createLogger(config);
    records = {
      store: new InteractionStore(db, config.storage.tables.interactions, config.storage.recordWriteAttempts, logger),
      publishMetrics: guardedMetricsPublisher(logger),
    };
  }
  return records;
}

server.listen(0, '127.0.0.1', () => {
  parentPort!.postMessage({ port: (server.address() as AddressInfo).port });
});
parentPort!.on('message', (message: 'close' | { connect: MessagePort } | { records: MessagePort; metrics: boolean }) => {
  if (message === 'close') {
    for (const connection of connections) connection.close();
    server.close(() => parentPort!.postMessage({ closed: true }));
    server.closeAllConnections();
    return;
  }
  const connection = 'records' in message ? message.records : message.connect;
  connections.add(connection);
  connection.once('close', () => connections.delete(connection));
  if ('records' in message) {
    const { store, publishMetrics } = recordServices();
    serveRecordWritesOverPort(connection, store, message.metrics ? publishMetrics : undefined);
  }
  else serveRequestListenerOverPort(connection, listener);
});
