import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readBody, UpstreamClient } from '../../lib/upstream/upstream-client.ts';
import { FakeServer, sleep } from '../fakes/fake-server.ts';

/** Answers by path: chunks `gapMs` apart, and a connection that breaks halfway. */
const upstream = () =>
  new FakeServer(async (req, res) => {
    if (req.path === '/broken') {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' });
      res.write('{"half":');
      await sleep(20);
      res.socket?.destroy();
      return;
    }
    const gapMs = req.path === '/stalling' ? 400 : 20;
    res.writeHead(200, { 'content-type': 'text/plain' });
    for (const part of ['a', 'b', 'c']) {
      res.write(part);
      await sleep(gapMs);
    }
    res.end();
  });

describe('reading a whole upstream body', () => {
  let fake: FakeServer;
  const client = new UpstreamClient({ connectMs: 1000, firstByteMs: 1000, idleMs: 150, totalMs: 5000 });
  const send = (path: string) => client.send({ url: `${fake.url}${path}`, method: 'GET', headers: {} });

  beforeAll(async () => {
    fake = await upstream().start();
  });
  afterAll(async () => {
    client.close();
    await fake.close();
  });

  it('joins the chunks, however many there are, and leaves the connection for the next call', async () => {
    const body = await readBody(await send('/steady'), 1024);
    expect(body.toString()).toBe('abc');
    await sleep(20);
    expect(client.sockets()).toMatchObject({ active: 0, idle: 1 });
  });

  it('answers an upstream error when the connection breaks before the end, not an internal one', async () => {
    await expect(readBody(await send('/broken'), 1024)).rejects.toMatchObject({
      kind: 'upstream_error',
      code: 'upstream_body_incomplete',
    });
  });

  it('stops at the limit and releases the connection', async () => {
    await expect(readBody(await send('/steady'), 2)).rejects.toMatchObject({ code: 'upstream_response_too_large' });
    await sleep(50);
    expect(client.sockets().active).toBe(0);
  });

  it('ends a body whose upstream sends nothing for longer than the idle timeout', async () => {
    await expect(readBody(await send('/stalling'), 1024)).rejects.toMatchObject({ code: 'upstream_idle_timeout' });
  });
});
