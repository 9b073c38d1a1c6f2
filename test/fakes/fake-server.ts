import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Socket } from 'node:net';

export interface ReceivedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  /** The body parsed as JSON, when it is JSON. */
  json: unknown;
}

export type FakeHandler = (req: ReceivedRequest, res: ServerResponse, raw: IncomingMessage) => void | Promise<void>;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A real HTTP server on an ephemeral loopback port that records every request it receives and
 * answers through a handler the test can swap. Provider fakes build on it.
 */
export class FakeServer {
  readonly received: ReceivedRequest[] = [];
  private readonly server: http.Server;
  private readonly sockets = new Set<Socket>();
  private handler: FakeHandler;
  url = '';

  private readonly record: boolean;

  /** `record: false` keeps no history (benchmarks, soaks). */
  constructor(defaultHandler: FakeHandler, options: { record?: boolean } = {}) {
    this.handler = defaultHandler;
    this.record = options.record ?? true;
    this.server = http.createServer(async (raw, res) => {
      const chunks: Buffer[] = [];
      for await (const chunk of raw as AsyncIterable<Buffer>) chunks.push(chunk);
      const body = Buffer.concat(chunks);
      const url = new URL(raw.url ?? '/', 'http://fake');
      let json: unknown;
      try {
        json = body.byteLength ? JSON.parse(body.toString('utf8')) : undefined;
      } catch {
        json = undefined;
      }
      const request: ReceivedRequest = {
        method: raw.method ?? 'GET',
        path: url.pathname,
        query: url.searchParams,
        headers: raw.headers,
        body,
        json,
      };
      if (this.record) this.received.push(request);
      try {
        await this.handler(request, res, raw);
      } catch (error) {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: String(error) } }));
      }
    });
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
  }

  async start(port = 0): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(port, '127.0.0.1', () => resolve()));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  /** Answers the next requests with this handler (until reset). */
  use(handler: FakeHandler): void {
    this.handler = handler;
  }

  get last(): ReceivedRequest | undefined {
    return this.received.at(-1);
  }

  /** Connections currently open to the fake (to check that a proxy released its upstream socket). */
  get openConnections(): number {
    return this.sockets.size;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

export { sleep };
