import type { ServerResponse } from 'node:http';
import { FakeServer, sleep, type FakeHandler, type ReceivedRequest } from './fake-server.ts';

export interface FakeToolCall {
  id: string;
  name: string;
  arguments: string;
}

export interface ChatBehaviour {
  model?: string;
  content?: string;
  toolCalls?: FakeToolCall[];
  usage?: {
    prompt_tokens: number;
    completion_tokens: number;
    total_tokens?: number;
    prompt_tokens_details?: { cached_tokens?: number };
    completion_tokens_details?: { reasoning_tokens?: number };
  };
  /** Report no usage at all (as some OpenAI-compatible servers do). */
  omitUsage?: boolean;
  /** Wait for this before answering at all (to hold calls in flight). */
  holdUntil?: Promise<unknown>;
  /** Streams: wait for this after the content, before the finish chunk. */
  holdBeforeFinish?: Promise<unknown>;
  /** Wait this long before the response headers. */
  delayMs?: number;
  /** Streams: how many content chunks (the content is split across them). */
  chunks?: number;
  /** Streams: pause between chunks. */
  chunkIntervalMs?: number;
  /** Streams: give the event loop one turn between chunks, so each chunk leaves in its own write (benchmarks). */
  yieldBetweenChunks?: boolean;
  /** Streams: destroy the connection after this many content chunks. */
  cutAfterChunks?: number;
  /** Streams: pause between a tool call's name chunk and its arguments chunk. */
  toolCallPauseMs?: number;
  /** Provider fields beside OpenAI's at the top of the completion and of every chunk (Perplexity's `citations`, …). */
  extra?: Record<string, unknown>;
  /** Provider fields in the message, and in the first delta of a stream (MiniMax's `reasoning_details`, …). */
  messageExtra?: Record<string, unknown>;
  /** Streams: usage rides on the finish chunk whether or not it was asked for (Mistral). */
  usageInFinalChunk?: boolean;
  /** Answer with this status and OpenAI error body instead. */
  failWith?: { status: number; message: string; type?: string; code?: string };
}

const DEFAULT_USAGE = { prompt_tokens: 12, completion_tokens: 7, total_tokens: 19 };

function completionId(): string {
  return `chatcmpl-${Math.random().toString(36).slice(2, 12)}`;
}

function splitContent(content: string, parts: number): string[] {
  if (parts <= 1) return [content];
  const size = Math.max(1, Math.ceil(content.length / parts));
  const out: string[] = [];
  for (let i = 0; i < parts; i++) out.push(content.slice(i * size, (i + 1) * size));
  return out;
}

function writeSse(res: ServerResponse, data: unknown): boolean {
  return res.write(`data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`);
}

/** Answers Chat Completions the way api.openai.com does, plain or streamed (SSE). */
export function openAiChat(behaviour: ChatBehaviour = {}): FakeHandler {
  return async (req: ReceivedRequest, res) => {
    if (behaviour.delayMs) await sleep(behaviour.delayMs);
    if (behaviour.holdUntil) await behaviour.holdUntil;
    if (behaviour.failWith) {
      const { status, message, type = 'invalid_request_error', code = null } = behaviour.failWith as ChatBehaviour['failWith'] & { code: string | null };
      res.writeHead(status, { 'content-type': 'application/json', 'x-request-id': 'req_fake_error' });
      res.end(JSON.stringify({ error: { message, type, param: null, code } }));
      return;
    }
    const body = (req.json ?? {}) as { model?: string; stream?: boolean; stream_options?: { include_usage?: boolean } };
    const model = behaviour.model ?? `${body.model ?? 'gpt-4o-mini'}-2024-07-18`;
    const content = behaviour.content ?? 'Hello from the fake upstream.';
    const usage = behaviour.usage ?? DEFAULT_USAGE;
    const id = completionId();
    const created = Math.floor(Date.now() / 1000);
    const toolCalls = behaviour.toolCalls;
    const finishReason = toolCalls?.length ? 'tool_calls' : 'stop';

    if (!body.stream) {
      res.writeHead(200, { 'content-type': 'application/json', 'x-request-id': 'req_fake', 'openai-processing-ms': '1' });
      res.end(
        JSON.stringify({
          id,
          object: 'chat.completion',
          created,
          model,
          choices: [
            {
              index: 0,
              message: {
                role: 'assistant',
                content: toolCalls?.length ? null : content,
                refusal: null,
                ...behaviour.messageExtra,
                ...(toolCalls?.length
                  ? {
                      tool_calls: toolCalls.map((call) => ({
                        id: call.id,
                        type: 'function',
                        function: { name: call.name, arguments: call.arguments },
                      })),
                    }
                  : {}),
              },
              logprobs: null,
              finish_reason: finishReason,
            },
          ],
          ...(behaviour.omitUsage ? {} : { usage }),
          system_fingerprint: 'fp_fake',
          ...behaviour.extra,
        }),
      );
      return;
    }

    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'x-request-id': 'req_fake', 'cache-control': 'no-cache' });
    const includeUsage = body.stream_options?.include_usage === true;
    const base = { id, object: 'chat.completion.chunk', created, model, system_fingerprint: 'fp_fake', ...behaviour.extra };
    const usageField = includeUsage ? { usage: null } : {};
    const chunk = (delta: unknown, finish: string | null = null) => ({
      ...base,
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
      ...usageField,
    });
    writeSse(res, chunk({ role: 'assistant', content: '', refusal: null, ...behaviour.messageExtra }));
    const parts = toolCalls?.length ? [] : splitContent(content, behaviour.chunks ?? 3);
    let sent = 0;
    for (const part of parts) {
      if (behaviour.chunkIntervalMs) await sleep(behaviour.chunkIntervalMs);
      else if (behaviour.yieldBetweenChunks) await new Promise<void>((resolve) => setImmediate(resolve));
      writeSse(res, chunk({ content: part }));
      sent++;
      if (behaviour.cutAfterChunks !== undefined && sent >= behaviour.cutAfterChunks) {
        // let what was written reach the client, then drop the connection without ending the body
        await new Promise<void>((resolve) => res.write('', () => resolve()));
        await sleep(20);
        res.socket?.destroy();
        return;
      }
    }
    for (const [index, call] of (toolCalls ?? []).entries()) {
      writeSse(res, chunk({ tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.name, arguments: '' } }] }));
      if (behaviour.toolCallPauseMs) await sleep(behaviour.toolCallPauseMs);
      writeSse(res, chunk({ tool_calls: [{ index, function: { arguments: call.arguments } }] }));
    }
    if (behaviour.holdBeforeFinish) await behaviour.holdBeforeFinish;
    writeSse(res, behaviour.usageInFinalChunk ? { ...chunk({}, finishReason), usage } : chunk({}, finishReason));
    if (includeUsage && !behaviour.omitUsage) writeSse(res, { ...base, choices: [], usage });
    writeSse(res, '[DONE]');
    res.end();
  };
}

/** A fake api.openai.com: base URL for clients is `${url}/v1`. */
export async function startFakeOpenAi(behaviour: ChatBehaviour = {}): Promise<FakeServer> {
  return new FakeServer(openAiChat(behaviour)).start();
}
