import type { ServerResponse } from 'node:http';
import { FakeServer, type FakeHandler, type ReceivedRequest } from '../fake-server.ts';

export interface GeminiFunctionCall {
  name: string;
  args: Record<string, unknown>;
  id?: string;
  thoughtSignature?: string;
}

export interface GeminiBehaviour {
  modelVersion?: string;
  content?: string;
  /** Thought summary parts before the answer (`thought: true`). */
  thoughts?: string;
  functionCalls?: GeminiFunctionCall[];
  finishReason?: string;
  usage?: { promptTokenCount: number; candidatesTokenCount: number; cachedContentTokenCount?: number; thoughtsTokenCount?: number };
  /** Streams: how many text chunks. */
  chunks?: number;
  /** Streams: after this many chunks, an error object (as Google sends one mid-stream), then the end. */
  errorAfterChunks?: { chunks: number; code: number; status: string; message: string };
  /** Answer with this Google error instead. */
  failWith?: { code: number; status: string; message: string };
  /** The model list (`GET /v1beta/models`). */
  models?: string[];
}

const DEFAULT_USAGE = { promptTokenCount: 11, candidatesTokenCount: 6, cachedContentTokenCount: 4, thoughtsTokenCount: 3 };

function split(content: string, parts: number): string[] {
  const size = Math.max(1, Math.ceil(content.length / Math.max(1, parts)));
  const out: string[] = [];
  for (let i = 0; i < content.length; i += size) out.push(content.slice(i, i + size));
  return out.length > 0 ? out : [''];
}

function usageMetadata(usage: NonNullable<GeminiBehaviour['usage']>, final: boolean) {
  return {
    promptTokenCount: usage.promptTokenCount,
    ...(final ? { candidatesTokenCount: usage.candidatesTokenCount } : {}),
    totalTokenCount: usage.promptTokenCount + (final ? usage.candidatesTokenCount + (usage.thoughtsTokenCount ?? 0) : 0),
    ...(usage.cachedContentTokenCount !== undefined ? { cachedContentTokenCount: usage.cachedContentTokenCount } : {}),
    ...(final && usage.thoughtsTokenCount !== undefined ? { thoughtsTokenCount: usage.thoughtsTokenCount } : {}),
  };
}

function target(path: string): { model: string; method: string } | undefined {
  const match = /^\/v1beta\/models\/([^/:]+):(generateContent|streamGenerateContent)$/.exec(path);
  return match ? { model: decodeURIComponent(match[1]!), method: match[2]! } : undefined;
}

function error(res: ServerResponse, code: number, status: string, message: string): void {
  res.writeHead(code, { 'content-type': 'application/json; charset=UTF-8' });
  res.end(JSON.stringify({ error: { code, message, status } }, null, 2));
}

/** Answers generateContent and streamGenerateContent (alt=sse) the way generativelanguage.googleapis.com does. */
export function geminiApi(behaviour: GeminiBehaviour = {}): FakeHandler {
  return (req: ReceivedRequest, res: ServerResponse) => {
    if (req.headers['x-goog-api-key'] === undefined) return error(res, 403, 'PERMISSION_DENIED', 'Method doesn\'t allow unregistered callers.');
    if (req.method === 'GET' && req.path === '/v1beta/models') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          models: [
            ...(behaviour.models ?? ['gemini-2.5-flash']).map((name) => ({ name: `models/${name}`, supportedGenerationMethods: ['generateContent', 'countTokens'] })),
            { name: 'models/text-embedding-004', supportedGenerationMethods: ['embedContent'] },
          ],
        }),
      );
      return;
    }
    const call = target(req.path);
    if (!call || req.method !== 'POST') {
      res.writeHead(404, { 'content-type': 'text/html; charset=UTF-8' });
      res.end('<html><body>Not Found</body></html>');
      return;
    }
    if (behaviour.failWith) return error(res, behaviour.failWith.code, behaviour.failWith.status, behaviour.failWith.message);
    const modelVersion = behaviour.modelVersion ?? `${call.model}-001`;
    const usage = behaviour.usage ?? DEFAULT_USAGE;
    const content = behaviour.content ?? 'Hello from the fake Gemini.';
    const calls = behaviour.functionCalls ?? [];
    const responseId = `resp-${Math.random().toString(36).slice(2, 10)}`;
    const finishReason = behaviour.finishReason ?? 'STOP';
    const chunk = (parts: unknown[], final: boolean) => ({
      candidates: [{ content: { parts, role: 'model' }, ...(final ? { finishReason } : {}), index: 0 }],
      usageMetadata: usageMetadata(usage, final),
      modelVersion,
      responseId,
    });
    const callParts = calls.map((c) => ({
      functionCall: { ...(c.id ? { id: c.id } : {}), name: c.name, args: c.args },
      ...(c.thoughtSignature ? { thoughtSignature: c.thoughtSignature } : {}),
    }));
    const thoughtParts = behaviour.thoughts ? [{ text: behaviour.thoughts, thought: true }] : [];

    if (call.method === 'generateContent') {
      res.writeHead(200, { 'content-type': 'application/json; charset=UTF-8' });
      res.end(JSON.stringify(chunk([...thoughtParts, ...(calls.length ? callParts : [{ text: content }])], true), null, 2));
      return;
    }
    if (req.query.get('alt') !== 'sse') return error(res, 400, 'INVALID_ARGUMENT', 'fake: the router must ask for alt=sse');
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    const elements: unknown[] = thoughtParts.length ? [chunk(thoughtParts, false)] : [];
    const pieces = calls.length ? [] : split(content, behaviour.chunks ?? 3);
    pieces.forEach((text, i) => elements.push(chunk([{ text }], i === pieces.length - 1 && !calls.length)));
    if (calls.length) elements.push(chunk(callParts, true));
    let sent = 0;
    for (const element of elements) {
      res.write(`data: ${JSON.stringify(element)}\r\n\r\n`);
      sent++;
      const failure = behaviour.errorAfterChunks;
      if (failure && sent >= failure.chunks) {
        res.write(`data: ${JSON.stringify({ error: { code: failure.code, message: failure.message, status: failure.status } })}\r\n\r\n`);
        break;
      }
    }
    res.end();
  };
}

export async function startFakeGemini(behaviour: GeminiBehaviour = {}): Promise<FakeServer> {
  return new FakeServer(geminiApi(behaviour)).start();
}
