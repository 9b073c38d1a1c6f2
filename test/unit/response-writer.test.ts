import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ResponseWriter } from '../../lib/http/response.ts';

const passThroughFactory = { from: (stream: Writable) => stream };

/** A response stream whose end is flushed only when the test says so, as a client that reads slowly. */
function slowToFlush(): { stream: Writable; written: Buffer[]; flush: () => void } {
  const written: Buffer[] = [];
  let release: (() => void) | undefined;
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      written.push(chunk);
      callback();
    },
    final(callback) {
      release = () => callback();
    },
  });
  return { stream, written, flush: () => release?.() };
}

const settled = async (promise: Promise<unknown>) => {
  let done = false;
  void promise.then(() => (done = true));
  await new Promise((resolve) => setImmediate(resolve));
  return done;
};

describe('ResponseWriter', () => {
  it('ends without waiting for the end to be flushed, and tells when it has been', async () => {
    const { stream, written, flush } = slowToFlush();
    const writer = new ResponseWriter(stream, passThroughFactory);
    writer.start(200, {});
    await writer.end(Buffer.from('the answer'));
    expect(Buffer.concat(written).toString()).toBe('the answer');
    const delivered = writer.delivered();
    expect(await settled(delivered)).toBe(false);
    flush();
    expect(await settled(delivered)).toBe(true);
  });

  it('counts the response delivered when the client goes away before the end is flushed', async () => {
    const { stream } = slowToFlush();
    const writer = new ResponseWriter(stream, passThroughFactory);
    writer.start(200, {});
    await writer.end(Buffer.from('partial'));
    stream.destroy(new Error('client disconnected'));
    expect(await settled(writer.delivered())).toBe(true);
    expect(writer.clientGone).toBe(true);
  });

  it('has nothing to deliver before the response ends', async () => {
    const { stream } = slowToFlush();
    const writer = new ResponseWriter(stream, passThroughFactory);
    expect(await settled(writer.delivered())).toBe(true);
  });

  it('stops listening to the response stream once it has closed, so a finished stream holds nothing of the writer', async () => {
    const { stream, flush } = slowToFlush();
    const listening = () => stream.listenerCount('error') + stream.listenerCount('close');
    const before = listening();
    const writer = new ResponseWriter(stream, passThroughFactory);
    writer.start(200, {});
    await writer.end(Buffer.from('the answer'));
    flush();
    await writer.delivered();
    await new Promise((resolve) => setImmediate(resolve));
    expect(stream.closed).toBe(true);
    expect(listening()).toBe(before);
  });
});
