import type { ServerResponse } from 'node:http';
import { FakeServer, sleep, type FakeHandler, type ReceivedRequest } from './fake-server.ts';

export interface GeminiBehaviour {
  modelVersion?: string;
  content?: string;
  functionCalls?: Array<{ name: string; args: Record<string, unknown>; id?: string }>;
  usage?: {
    promptTokenCount: number;
    candidatesTokenCount: number;
    cachedContentTokenCount?: number;
    thoughtsTokenCount?: number;
  };
  /** Streams: send the function calls in a chunk of their own, pause this long, then a last chunk with the finish reason. */
  toolCallPauseMs?: number;
  /** Streams: how many text chunks. */
  chunks?: number;
  chunkIntervalMs?: number;
  /** Streams: destroy the connection after this many chunks. */
  cutAfterChunks?: number;
  /** Streams: after this many chunks, send an error object (as Google does mid-stream) and end. */
  errorAfterChunks?: { chunks: number; code: number; status: string; message: string };
  /** Answer with this Google error instead. */
  failWith?: { code: number; status: string; message: string };
}

const DEFAULT_USAGE = { promptTokenCount: 11, candidatesTokenCount: 6, cachedContentTokenCount: 4, thoughtsTokenCount: 3 };

function split(content: string, parts: number): string[] {
  const size = Math.max(1, Math.ceil(content.length / Math.max(1, parts)));
  const out: string[] = [];
  for (let i = 0; i < content.length; i += size) out.push(content.slice(i, i + size));
  return out.length > 0 ? out : [''];
}

function usageMetadata(usage: NonNullable<GeminiBehaviour['usage']>, final: boolean) {
  const candidates = final ? usage.candidatesTokenCount : 0;
  return {
    promptTokenCount: usage.promptTokenCount,
    ...(final ? { candidatesTokenCount: candidates } : {}),
    totalTokenCount: usage.promptTokenCount + candidates + (final ? (usage.thoughtsTokenCount ?? 0) : 0),
    ...(usage.cachedContentTokenCount !== undefined ? { cachedContentTokenCount: usage.cachedContentTokenCount } : {}),
    promptTokensDetails: [{ modality: 'TEXT', tokenCount: usage.promptTokenCount }],
    ...(final && usage.thoughtsTokenCount !== undefined ? { thoughtsTokenCount: usage.thoughtsTokenCount } : {}),
  };
}

/** `/{version}/models/{model}:{method}` (Gemini API) or Vertex's `/v1/projects/…/models/{model}:{method}`. */
export function modelAndMethod(path: string): { model: string; method: string } | undefined {
  const match = /\/models\/([^/:]+):(generateContent|streamGenerateContent)$/.exec(path);
  return match ? { model: decodeURIComponent(match[1]!), method: match[2]! } : undefined;
}

/** Answers generateContent / streamGenerateContent the way generativelanguage.googleapis.com does. */
export function geminiGenerate(behaviour: GeminiBehaviour = {}): FakeHandler {
  return async (req: ReceivedRequest, res: ServerResponse) => {
    const target = modelAndMethod(req.path);
    if (!target) {
      res.writeHead(404, { 'content-type': 'text/html; charset=UTF-8' });
      res.end('<html><body>Not Found</body></html>');
      return;
    }
    if (behaviour.failWith) {
      const { code, status, message } = behaviour.failWith;
      res.writeHead(code, { 'content-type': 'application/json; charset=UTF-8', 'x-fake-upstream': 'gemini' });
      res.end(JSON.stringify({ error: { code, message, status } }, null, 2));
      return;
    }
    const modelVersion = behaviour.modelVersion ?? `${target.model}-001`;
    const usage = behaviour.usage ?? DEFAULT_USAGE;
    const content = behaviour.content ?? 'Hello from the fake Gemini.';
    const calls = behaviour.functionCalls ?? [];
    const responseId = `resp-${Math.random().toString(36).slice(2, 10)}`;

    const chunk = (parts: unknown[], final: boolean) => ({
      candidates: [
        {
          content: { parts, role: 'model' },
          ...(final ? { finishReason: 'STOP' } : {}),
          index: 0,
        },
      ],
      usageMetadata: usageMetadata(usage, final),
      modelVersion,
      responseId,
    });
    const callParts = calls.map((call) => ({ functionCall: { ...(call.id ? { id: call.id } : {}), name: call.name, args: call.args } }));

    if (target.method === 'generateContent') {
      res.writeHead(200, { 'content-type': 'application/json; charset=UTF-8', 'x-fake-upstream': 'gemini' });
      res.end(JSON.stringify(chunk(calls.length ? callParts : [{ text: content }], true), null, 2));
      return;
    }

    // `$alt` is the system parameter's other spelling; Google reads either.
    const sse = (req.query.get('alt') ?? req.query.get('$alt')) === 'sse';
    res.writeHead(200, {
      'content-type': sse ? 'text/event-stream' : 'application/json; charset=UTF-8',
      'x-fake-upstream': 'gemini',
    });
    const pieces = calls.length ? [] : split(content, behaviour.chunks ?? 3);
    const elements: unknown[] = pieces.map((text, i) => chunk([{ text }], i === pieces.length - 1));
    if (calls.length && behaviour.toolCallPauseMs === undefined) elements.push(chunk(callParts, true));
    if (calls.length && behaviour.toolCallPauseMs !== undefined) elements.push(chunk(callParts, false), chunk([{ text: '' }], true));
    let first = true;
    const send = (element: unknown) =>
      new Promise<void>((resolve) => {
        const text = JSON.stringify(element, null, sse ? undefined : 2);
        res.write(sse ? `data: ${text}\r\n\r\n` : `${first ? '[' : '\n,\r\n'}${text}`, () => resolve());
        first = false;
      });
    let sent = 0;
    for (const [index, element] of elements.entries()) {
      if (behaviour.chunkIntervalMs) await sleep(behaviour.chunkIntervalMs);
      if (behaviour.toolCallPauseMs && calls.length && index === elements.length - 1) await sleep(behaviour.toolCallPauseMs);
      await send(element);
      sent++;
      if (behaviour.cutAfterChunks !== undefined && sent >= behaviour.cutAfterChunks) {
        res.socket?.destroy();
        return;
      }
      const failure = behaviour.errorAfterChunks;
      if (failure && sent >= failure.chunks) {
        await send({ error: { code: failure.code, message: failure.message, status: failure.status } });
        res.end(sse ? undefined : '\n]');
        return;
      }
    }
    res.end(sse ? undefined : first ? '[]' : '\n]');
  };
}

/** A fake Google STS token endpoint (`token_url` of an external-account credentials file). */
export function stsToken(accessToken: string, expiresIn = 3600): FakeHandler {
  return (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        access_token: accessToken,
        issued_token_type: 'urn:ietf:params:oauth:token-type:access_token',
        token_type: 'Bearer',
        expires_in: expiresIn,
      }),
    );
  };
}

/** Routes `/token` to the STS fake and everything else to the Gemini fake. */
export function geminiWithSts(behaviour: GeminiBehaviour, accessToken: string): FakeHandler {
  const generate = geminiGenerate(behaviour);
  const sts = stsToken(accessToken);
  return (req, res, raw) => (req.path === '/token' ? sts(req, res, raw) : generate(req, res, raw));
}

export async function startFakeGemini(behaviour: GeminiBehaviour = {}): Promise<FakeServer> {
  return new FakeServer(geminiGenerate(behaviour)).start();
}
