import { parentPort, workerData } from 'node:worker_threads';
import type { AddressInfo } from 'node:net';
import dynalite from 'dynalite';

/** dynalite in a worker thread, so storage work runs beside the gateway's event loop, not on it. */
const { directory } = workerData as { directory: string | undefined };
const server = dynalite({ path: directory, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
server.listen(0, '127.0.0.1', () => {
  parentPort!.postMessage({ port: (server.address() as AddressInfo).port });
});
parentPort!.on('message', (message) => {
  if (message !== 'close') return;
  server.close(() => parentPort!.postMessage({ closed: true }));
  server.closeAllConnections();
});
