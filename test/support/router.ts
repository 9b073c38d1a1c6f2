import type { ServerResponse } from 'node:http';
import OpenAI from 'openai';
import type { Interaction } from '../../lib/interactions/interaction.ts';
import { FakeServer, type FakeHandler, type ReceivedRequest } from '../fakes/fake-server.ts';
import type { TestGateway } from './gateway.ts';

/** A 1×1 PNG. */
export const PNG_BASE64 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';
export const PNG_DATA_URL = `data:image/png;base64,${PNG_BASE64}`;

/** Serves the PNG at `/cat.png` (image URLs the router fetches for providers that want bytes). */
export async function startImageServer(): Promise<FakeServer> {
  return new FakeServer((req: ReceivedRequest, res: ServerResponse) => {
    if (req.path === '/cat.png') {
      res.writeHead(200, { 'content-type': 'image/png' });
      res.end(Buffer.from(PNG_BASE64, 'base64'));
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('no such image');
  }).start();
}

export function routerClient(gateway: TestGateway, profile?: string): OpenAI {
  return new OpenAI({ apiKey: 'sluice-router-client', baseURL: `${gateway.url}/v1/model-router${profile ? `/${profile}` : ''}`, maxRetries: 0 });
}

/** Answers with `first` until a request carries a tool result, then with `then` (a tool call round trip). */
export function untilToolResult(first: FakeHandler, then: FakeHandler, carriesResult: (json: unknown) => boolean): FakeHandler {
  return (req, res, raw) => (carriesResult(req.json) ? then(req, res, raw) : first(req, res, raw));
}

/** The data events of a raw SSE body (for checking a stream's exact order). */
export function sseData(text: string): string[] {
  return text
    .split(/\r?\n\r?\n/)
    .map((event) => event.split(/\r?\n/).filter((line) => line.startsWith('data:')).map((line) => line.slice(5).trim()).join('\n'))
    .filter((data) => data !== '');
}

/** The event names of a raw Responses SSE body, in order. */
export function sseEventNames(text: string): string[] {
  return [...text.matchAll(/^event: (.+)$/gm)].map((match) => match[1]!);
}

/** POSTs to the router without an SDK, to see the bytes. */
export async function postRaw(gateway: TestGateway, path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${gateway.url}/v1/model-router${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer sluice-router-client', ...headers },
    body: JSON.stringify(body),
  });
}

export async function recordsAfter(gateway: TestGateway, before: number, profileId = 'default'): Promise<Interaction[]> {
  return (await gateway.waitForRecords(before + 1, profileId)).slice(before);
}
