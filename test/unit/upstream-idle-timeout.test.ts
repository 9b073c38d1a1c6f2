import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UpstreamClient } from '../../lib/upstream/upstream-client.ts';
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

describe('the upstream idle timeout', () => {
  let steady: FakeServer;
  let stalling: FakeServer;
  const client = new UpstreamClient({ connectMs: 1000, firstByteMs: 1000, idleMs: 150, totalMs: 5000 });

  beforeAll(async () => {
    steady = await chunked(20).start();
    stalling = await chunked(400).start();
  });
  afterAll(async () => {
    client.close();
    await steady.close();
    await stalling.close();
  });

  it('does not count the time a slow client holds the stream, even past the timeout, again and again', async () => {
    const response = await client.send({ url: steady.url, method: 'GET', headers: {} });
    let text = '';
    for await (const chunk of response.body) {
      text += chunk.toString();
      await sleep(400);
    }
    expect(text).toBe('abc');
  });

  it('ends a body whose upstream sends nothing for longer than the timeout', async () => {
    const response = await client.send({ url: stalling.url, method: 'GET', headers: {} });
    const read = (async () => {
      for await (const _ of response.body) void _;
    })();
    await expect(read).rejects.toMatchObject({ code: 'upstream_idle_timeout' });
  });
});
