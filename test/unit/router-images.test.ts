import type { ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchImage, imageResolver, isPublicAddress } from '../../lib/router/images.ts';
import { FakeServer, type ReceivedRequest } from '../fakes/fake-server.ts';
import { PNG_BASE64 } from '../support/router.ts';

let server: FakeServer;
const settings = { maxBytes: 1024, timeoutMs: 2000, allowPrivateAddresses: true };

beforeAll(async () => {
  server = await new FakeServer((req: ReceivedRequest, res: ServerResponse) => {
    switch (req.path) {
      case '/cat.png':
        res.writeHead(200, { 'content-type': 'image/png' });
        res.end(Buffer.from(PNG_BASE64, 'base64'));
        return;
      case '/big.png':
        res.writeHead(200, { 'content-type': 'image/png' });
        res.end(Buffer.alloc(4096));
        return;
      case '/page.html':
        res.writeHead(200, { 'content-type': 'text/html' });
        res.end('<html></html>');
        return;
      case '/hop':
        res.writeHead(302, { location: '/cat.png' });
        res.end();
        return;
      case '/loop':
        res.writeHead(302, { location: '/loop' });
        res.end();
        return;
      case '/silent':
        return; // never answers
      default:
        res.writeHead(404);
        res.end();
    }
  }).start();
});

afterAll(() => server.close());

describe('image fetching for providers that take only bytes', () => {
  it('fetches an image, following a redirect, as base64 with its media type', async () => {
    expect(await fetchImage(`${server.url}/cat.png`, settings)).toEqual({ mediaType: 'image/png', base64: PNG_BASE64 });
    expect(await fetchImage(`${server.url}/hop`, settings)).toEqual({ mediaType: 'image/png', base64: PNG_BASE64 });
  });

  it('refuses what is not an image, too large, missing, or redirected too often', async () => {
    await expect(fetchImage(`${server.url}/page.html`, settings)).rejects.toThrow(/text\/html, not an image/);
    await expect(fetchImage(`${server.url}/big.png`, settings)).rejects.toThrow(/1024 bytes/);
    await expect(fetchImage(`${server.url}/nothing`, settings)).rejects.toThrow(/answered 404/);
    await expect(fetchImage(`${server.url}/loop`, settings)).rejects.toThrow(/redirects/);
  });

  it('gives up on a server that does not answer within the time allowed', async () => {
    await expect(fetchImage(`${server.url}/silent`, { ...settings, timeoutMs: 200 })).rejects.toThrow(/within 200 ms/);
  });

  it('never reaches loopback, private or link-local addresses, by literal, by name, or through a redirect', async () => {
    const strict = { ...settings, allowPrivateAddresses: false };
    await expect(fetchImage(`${server.url}/cat.png`, strict)).rejects.toThrow(/loopback, private or link-local/);
    await expect(fetchImage(`http://localhost:${new URL(server.url).port}/cat.png`, strict)).rejects.toThrow(/resolves to a loopback/);
    await expect(fetchImage('http://169.254.169.254/latest/meta-data/', strict)).rejects.toThrow(/link-local/);
    await expect(fetchImage('http://[::1]:80/x.png', strict)).rejects.toThrow(/loopback/);
    await expect(fetchImage('file:///etc/passwd', strict)).rejects.toThrow(/file: URLs are not fetched/);
  });

  it('knows public from private addresses', () => {
    for (const address of ['127.0.0.1', '10.1.2.3', '172.20.0.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', 'fe80::1', 'fd00::1', '::ffff:127.0.0.1']) {
      expect(isPublicAddress(address), address).toBe(false);
    }
    for (const address of ['8.8.8.8', '1.1.1.1', '2606:4700:4700::1111']) expect(isPublicAddress(address), address).toBe(true);
  });

  it('fetches each URL once per request, whatever the number of attempts', async () => {
    const before = server.received.length;
    const resolver = imageResolver(settings);
    await Promise.all([resolver.bytes({ kind: 'url', url: `${server.url}/cat.png` }), resolver.bytes({ kind: 'url', url: `${server.url}/cat.png` })]);
    expect(server.received.length - before).toBe(1);
    expect(await resolver.bytes({ kind: 'data', mediaType: 'image/gif', base64: 'R0lG' })).toEqual({ mediaType: 'image/gif', base64: 'R0lG' });
  });
});
