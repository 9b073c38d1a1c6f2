import type { Writable } from 'node:stream';

/** The shape of `awslambda.HttpResponseStream`: passed in, so lib/ holds no Lambda global. */
export interface HttpResponseStreamFactory {
  from(stream: Writable, prelude: { statusCode: number; headers?: Record<string, string>; cookies?: string[] }): Writable;
}

/**
 * Writes one HTTP response to a Lambda response stream: status and headers first (the prelude),
 * then the body as it comes, honouring backpressure. Knows when the client has gone away.
 */
export class ResponseWriter {
  private stream: Writable | undefined;
  private readonly raw: Writable;
  private readonly factory: HttpResponseStreamFactory;
  private closedByPeer = false;
  private flushed: Promise<void> | undefined;
  private readonly closeListeners: Array<() => void> = [];
  status = 0;
  bytesWritten = 0;
  firstByteAt: number | undefined;

  constructor(raw: Writable, factory: HttpResponseStreamFactory) {
    this.raw = raw;
    this.factory = factory;
    const onGone = () => {
      // Only the first of the two is heard: a listener left on a finished stream would keep this
      // writer, and through its listeners the whole exchange, alive for as long as the stream.
      raw.off('close', onGone);
      raw.off('error', onGone);
      if (this.closedByPeer || this.raw.writableFinished) return;
      this.closedByPeer = true;
      for (const listener of this.closeListeners.splice(0)) listener();
    };
    raw.once('close', onGone);
    raw.once('error', onGone);
  }

  get started(): boolean {
    return this.stream !== undefined;
  }

  /** True once the client has disconnected: nothing written after this reaches anyone. */
  get clientGone(): boolean {
    return this.closedByPeer;
  }

  onClientGone(listener: () => void): void {
    if (this.closedByPeer) listener();
    else this.closeListeners.push(listener);
  }

  start(status: number, headers: Record<string, string>): void {
    if (this.stream) throw new Error('response already started');
    this.status = status;
    this.stream = this.factory.from(this.raw, { statusCode: status, headers });
  }

  /** Resolves when the chunk is accepted; waits for drain when the client reads slowly. */
  write(chunk: Uint8Array): Promise<void> | undefined {
    const stream = this.stream;
    if (!stream) throw new Error('response not started');
    if (this.closedByPeer || chunk.byteLength === 0) return undefined;
    this.firstByteAt ??= performance.now();
    this.bytesWritten += chunk.byteLength;
    if (stream.write(chunk)) return undefined;
    return new Promise((resolve) => {
      const done = () => {
        stream.off('drain', done);
        stream.off('close', done);
        resolve();
      };
      stream.once('drain', done);
      stream.once('close', done);
    });
  }

  /**
   * Ends the response once the last chunk is accepted. Resolves without waiting for the client to
   * read the end: what follows a response (its record, metrics) need not wait for a slow reader;
   * `delivered()` tells when the end has been flushed.
   */
  async end(chunk?: Uint8Array): Promise<void> {
    const stream = this.stream;
    if (!stream) throw new Error('response not started');
    if (chunk && chunk.byteLength > 0) await this.write(chunk);
    if (this.closedByPeer || stream.writableEnded) return;
    this.firstByteAt ??= performance.now();
    this.flushed = new Promise<void>((resolve) => {
      const flushed = () => {
        stream.off('error', flushed);
        resolve();
      };
      stream.once('error', flushed);
      stream.end(flushed);
    });
  }

  /** Resolves once the ended response has been flushed, or the client has gone. */
  delivered(): Promise<void> {
    return this.flushed ?? Promise.resolve();
  }

  /** A whole response in one go. */
  async send(status: number, headers: Record<string, string>, body: string | Uint8Array): Promise<void> {
    this.start(status, headers);
    await this.end(typeof body === 'string' ? Buffer.from(body) : body);
  }
}
