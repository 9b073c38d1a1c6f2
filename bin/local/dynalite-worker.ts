import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import type { AddressInfo } from 'node:net';
import dynalite from 'dynalite';
import { serveRequestListenerOverPort, type InMemoryRequestListener } from './request-listener-over-port.ts';

/**
 * dynalite in a worker thread, so storage work runs beside the gateway's event loop, not on it.
 * It answers over TCP (the CLI, tests, SLUICE_DYNAMODB_ENDPOINT users) and over MessagePorts
 * the gateway connects with (`{ connect: port }`), where the same request listener serves
 * in-memory requests.
 */
const { directory } = workerData as { directory: string | undefined };
const server = dynalite({ path: directory, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
const listener = server.listeners('request')[0] as InMemoryRequestListener;
const connections = new Set<MessagePort>();

server.listen(0, '127.0.0.1', () => {
  parentPort!.postMessage({ port: (server.address() as AddressInfo).port });
});
parentPort!.on('message', (message: 'close' | { connect: MessagePort }) => {
  if (message === 'close') {
    for (const connection of connections) connection.close();
    server.close(() => parentPort!.postMessage({ closed: true }));
    server.closeAllConnections();
    return;
  }
  const connection = message.connect;
  connections.add(connection);
  connection.once('close', () => connections.delete(connection));
  serveRequestListenerOverPort(connection, listener);
});
