import type { ServerResponse } from 'node:http';
import { anthropicMessages } from '../../fakes/anthropic-upstream.ts';
import { bedrockConverse } from '../../fakes/bedrock-upstream.ts';
import { cohereChat } from '../../fakes/cohere-upstream.ts';
import { FakeServer, type FakeHandler, type ReceivedRequest } from '../../fakes/fake-server.ts';
import { geminiGenerate } from '../../fakes/gemini-upstream.ts';
import { openAiApi } from '../../fakes/openai-api.ts';

/** The request header that names a fuzz case, so the hub can say what it received and answered for it. */
export const CASE_HEADER = 'x-fuzz-case';

export interface UpstreamExchange {
  received: ReceivedRequest;
  status: number;
  body: Buffer;
}

/** Each family's fake under its own first path segment: `<hub>/<family>/<the provider's own path>`. */
const families: Record<string, FakeHandler> = {
  openai: openAiApi(),
  anthropic: anthropicMessages(),
  gemini: geminiGenerate(),
  bedrock: bedrockConverse(),
  cohere: cohereChat(),
};

/** Keeps what a handler writes, as the client of the fake would read it. */
function recordingResponse(res: ServerResponse, done: (status: number, body: Buffer) => void): void {
  const chunks: Buffer[] = [];
  const keep = (chunk: unknown) => {
    if (chunk === undefined || chunk === null || typeof chunk === 'function') return;
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk as Uint8Array));
  };
  const write = res.write.bind(res) as (...args: unknown[]) => boolean;
  const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
  res.write = ((chunk: unknown, ...rest: unknown[]) => {
    keep(chunk);
    return write(chunk, ...rest);
  }) as ServerResponse['write'];
  res.end = ((chunk?: unknown, ...rest: unknown[]) => {
    keep(chunk);
    done(res.statusCode, Buffer.concat(chunks));
    return end(chunk, ...rest);
  }) as ServerResponse['end'];
}

/**
 * One fake server for every provider family, which remembers, per fuzz case, the request it got
 * and the answer it gave, so that a relayed answer can be compared with the upstream's bytes.
 */
export class UpstreamHub {
  readonly exchanges = new Map<string, UpstreamExchange>();
  readonly server: FakeServer;

  constructor() {
    this.server = new FakeServer(
      (req, res, raw) => {
        const [, family, ...rest] = req.path.split('/');
        const handler = families[family ?? ''];
        const caseId = req.headers[CASE_HEADER];
        const inner: ReceivedRequest = { ...req, path: `/${rest.join('/')}` };
        if (typeof caseId === 'string') {
          recordingResponse(res, (status, body) => this.exchanges.set(caseId, { received: req, status, body }));
        }
        if (!handler) {
          res.writeHead(404, { 'content-type': 'application/json' });
          res.end('{"message":"no such family"}');
          return;
        }
        return handler(inner, res, raw);
      },
      { record: false },
    );
  }

  async start(): Promise<this> {
    await this.server.start();
    return this;
  }

  /** The base URL of a family (`openai` → `<hub>/openai`). */
  url(family: string): string {
    return `${this.server.url}/${family}`;
  }

  close(): Promise<void> {
    return this.server.close();
  }
}
