import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { SluiceError } from '../errors/sluice-error.ts';
import type { ImageSource } from './neutral.ts';

export interface ImageBytes {
  mediaType: string;
  base64: string;
}

/** Gives an image's bytes, for providers that take images only inline. */
export interface ImageResolver {
  bytes(image: ImageSource): Promise<ImageBytes>;
}

export interface ImageFetchSettings {
  maxBytes: number;
  timeoutMs: number;
  /** Lets image URLs reach loopback and private addresses (local development only). */
  allowPrivateAddresses: boolean;
}

const MAX_REDIRECTS = 3;

/**
 * Addresses an image URL may not reach: loopback, private, link-local (cloud metadata), and reserved
 * ranges. BlockList checks IPv4-mapped IPv6 addresses (::ffff:a.b.c.d) against the IPv4 rules.
 */
const blocked = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  blocked.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['64:ff9b::', 96],
  ['100::', 64],
  ['2001:db8::', 32],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  blocked.addSubnet(network, prefix, 'ipv6');
}

export function isPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  return !blocked.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

function fetchError(url: string, reason: string): SluiceError {
  return new SluiceError('bad_request', `Sluice could not fetch the image at ${url}: ${reason}.`, { code: 'image_fetch_failed' });
}

/** A DNS lookup that fails when any address of the name is not public (so no rebinding to a private one). */
const publicOnlyLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
    if (error) return callback(error, '', 0);
    const denied = addresses.find((entry) => !isPublicAddress(entry.address));
    if (denied || addresses.length === 0) {
      const refusal = Object.assign(new Error(`${hostname} resolves to a non-public address`), { code: 'EADDRNOTPUBLIC' });
      return callback(refusal, '', 0);
    }
    if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
    callback(null, addresses[0]!.address, addresses[0]!.family);
  });
};

function request(url: URL, settings: ImageFetchSettings, signal: AbortSignal): Promise<IncomingMessage> {
  const transport = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = transport.get(
      url,
      {
        signal,
        headers: { accept: 'image/*', 'user-agent': 'sluice-model-router' },
        ...(settings.allowPrivateAddresses ? {} : { lookup: publicOnlyLookup }),
      },
      resolve,
    );
    req.once('error', reject);
  });
}

async function readLimited(response: IncomingMessage, maxBytes: number, url: string): Promise<Buffer> {
  const declared = Number(response.headers['content-length']);
  if (declared > maxBytes) {
    response.destroy();
    throw fetchError(url, `it is ${declared} bytes, more than the ${maxBytes} allowed`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response as AsyncIterable<Buffer>) {
    size += chunk.byteLength;
    if (size > maxBytes) {
      response.destroy();
      throw fetchError(url, `it is more than the ${maxBytes} bytes allowed`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size);
}

/**
 * Fetches an http(s) image for a provider that takes only inline bytes: at most `maxBytes`, within
 * `timeoutMs` (redirects included), never from a loopback, private or link-local address, and only
 * when the answer says it is an image.
 */
export async function fetchImage(href: string, settings: ImageFetchSettings, outer?: AbortSignal): Promise<ImageBytes> {
  const timeout = AbortSignal.timeout(settings.timeoutMs);
  const signal = outer ? AbortSignal.any([outer, timeout]) : timeout;
  let url = new URL(href);
  for (let hop = 0; ; hop++) {
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw fetchError(href, `${url.protocol} URLs are not fetched`);
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (!settings.allowPrivateAddresses && isIP(host) !== 0 && !isPublicAddress(host)) {
      throw fetchError(href, 'it points at a loopback, private or link-local address');
    }
    let response: IncomingMessage;
    try {
      response = await request(url, settings, signal);
    } catch (error) {
      if (timeout.aborted) throw fetchError(href, `no answer within ${settings.timeoutMs} ms`);
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EADDRNOTPUBLIC') throw fetchError(href, 'it resolves to a loopback, private or link-local address');
      throw fetchError(href, code ?? (error as Error).message);
    }
    const status = response.statusCode ?? 0;
    if (status >= 300 && status < 400 && response.headers.location) {
      response.resume();
      if (hop >= MAX_REDIRECTS) throw fetchError(href, `more than ${MAX_REDIRECTS} redirects`);
      url = new URL(response.headers.location, url);
      continue;
    }
    if (status !== 200) {
      response.resume();
      throw fetchError(href, `the server answered ${status}`);
    }
    const mediaType = (response.headers['content-type'] ?? '').split(';', 1)[0]!.trim().toLowerCase();
    if (!mediaType.startsWith('image/')) {
      response.destroy();
      throw fetchError(href, `it is ${mediaType || 'of no stated type'}, not an image`);
    }
    try {
      const bytes = await readLimited(response, settings.maxBytes, href);
      return { mediaType, base64: bytes.toString('base64') };
    } catch (error) {
      if (error instanceof SluiceError) throw error;
      if (timeout.aborted) throw fetchError(href, `not received within ${settings.timeoutMs} ms`);
      throw fetchError(href, (error as Error).message);
    }
  }
}

/** The resolver of one request: each URL fetched at most once, however many attempts use it. */
export function imageResolver(settings: ImageFetchSettings, signal?: AbortSignal): ImageResolver {
  const fetched = new Map<string, Promise<ImageBytes>>();
  return {
    bytes(image) {
      if (image.kind === 'data') return Promise.resolve({ mediaType: image.mediaType, base64: image.base64 });
      let pending = fetched.get(image.url);
      if (!pending) {
        pending = fetchImage(image.url, settings, signal);
        fetched.set(image.url, pending);
      }
      return pending;
    },
  };
}

/** For checking that a request can be translated before anything is sent: no image is fetched. */
export const unfetchedImages: ImageResolver = {
  bytes: (image) =>
    Promise.resolve(image.kind === 'data' ? { mediaType: image.mediaType, base64: image.base64 } : { mediaType: 'image/png', base64: '' }),
};
