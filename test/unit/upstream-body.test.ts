import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readBody, UpstreamClient } from '../../lib/upstream/upstream-client.ts';
import { FakeServer, sleep } from '../fakes/fake-server.ts';

/** Three chunks, `gapMs` apart. */
const chunked = (gapMs: number) =>
  new FakeServer(async (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    for (const part of ['a', 'b', 'c']) {
      res.write(part);
      await sleep(gapMs);
    }
    res.end();
  });

/** A 200 with half its declared body, then the connection destroyed. */
const breaking = () =>
  new FakeServer(async (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
    res.write('{"half":');
    await sleep(20);
    res.socket?.destroy();
  });

let steady: FakeServer;
let stalling: FakeServer;
let broken: FakeServer;
const client = new UpstreamClient({ connectMs: 1000, firstByteMs: 1000, idleMs: 150, totalMs: 5000 });
const send = (fake: FakeServer) => client.send({ url: fake.url, method: 'GET', headers: {} });

beforeAll(async () => {
  steady = await chunked(20).start();
  stalling = await chunked(400).start();
  broken = await breaking().start();
});
afterAll(async () => {
  client.close();
  await Promise.all([steady.close(), stalling.close(), broken.close()]);
});

describe('the upstream idle timeout', () => {
  it('does not count the time a slow client holds the stream, even past the timeout, again and again', async () => {
    const response = await send(steady);
    let text = '';
    for await (const chunk of response.body) {
      text += chunk.toString();
      await sleep(400);
    }
    expect(text).toBe('abc');
  });

  it('ends a body whose upstream sends nothing for longer than the timeout', async () => {
    const response = await send(stalling);
    const read = (async () => {
      for await (const _ of response.body) void _;
    })();
    await expect(read).rejects.toMatchObject({ code: 'upstream_idle_timeout' });
  });
});

describe('reading an upstream body chunk by chunk', () => {
  it('fails the reader when the connection breaks in the middle, after the chunks that came', async () => {
    const response = await send(broken);
    const seen: string[] = [];
    const read = (async () => {
      for await (const chunk of response.body) seen.push(chunk.toString());
    })();
    await expect(read).rejects.toThrow();
    expect(seen.join('')).toBe('{"half":');
  });

  it('fails at once when the connection was gone before the first read', async () => {
    const response = await send(steady);
    response.cancel();
    await sleep(10);
    const read = (async () => {
      for await (const _ of response.body) void _;
    })();
    await expect(read).rejects.toThrow();
  });

  it('holds the upstream back while the reader is busy, then reads all of it', async () => {
    const chunk = Buffer.alloc(64 * 1024, 120);
    const chunks = 320; // 20 MiB: more than loopback socket buffers hold
    let upstreamFinished = false;
    const flood = await new FakeServer(async (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      for (let i = 0; i < chunks; i++) {
        if (!res.write(chunk)) await new Promise((resolve) => res.once('drain', resolve));
      }
      res.end(() => (upstreamFinished = true));
    }).start();
    try {
      const response = await send(flood);
      let received = 0;
      for await (const part of response.body) {
        if (received === 0) {
          await sleep(300);
          expect(upstreamFinished).toBe(false);
        }
        received += part.byteLength;
      }
      expect(received).toBe(chunk.byteLength * chunks);
    } finally {
      await flood.close();
    }
  });

  it('releases the connection when the reader stops early', async () => {
    const response = await send(stalling);
    for await (const chunk of response.body) {
      expect(chunk.toString()).toBe('a');
      break;
    }
    await sleep(20);
    expect(client.sockets().active).toBe(0);
  });
});

describe('reading a whole upstream body', () => {
  it('joins the chunks, however many there are, and leaves the connection for the next call', async () => {
    const body = await readBody(await send(steady), 1024);
    expect(body.toString()).toBe('abc');
    await sleep(20);
    expect(client.sockets().active).toBe(0);
    expect(client.sockets().idle).toBeGreaterThanOrEqual(1);
  });

  it('answers an upstream error when the connection breaks before the end, not an internal one', async () => {
    await expect(readBody(await send(broken), 1024)).rejects.toMatchObject({
      kind: 'upstream_error',
      code: 'upstream_body_incomplete',
    });
  });

  it('stops at the limit and releases the connection', async () => {
    await expect(readBody(await send(steady), 2)).rejects.toMatchObject({ code: 'upstream_response_too_large' });
    await sleep(50);
    expect(client.sockets().active).toBe(0);
  });

  it('ends a body whose upstream sends nothing for longer than the idle timeout', async () => {
    await expect(readBody(await send(stalling), 1024)).rejects.toMatchObject({ code: 'upstream_idle_timeout' });
  });
});
