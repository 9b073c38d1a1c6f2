import type { ServerResponse } from 'node:http';
import { sleep, type FakeHandler } from './fake-server.ts';
import type { FakeToolCall } from './openai-upstream.ts';

export interface ResponsesBehaviour {
  model?: string;
  text?: string;
  /** Answer with function calls instead of a message. */
  toolCalls?: FakeToolCall[];
  usage?: { input_tokens: number; output_tokens: number; cached_tokens?: number; reasoning_tokens?: number };
  /** Streams: how many text deltas. */
  chunks?: number;
  chunkIntervalMs?: number;
  /** Streams: leave out the `event:` lines (some OpenAI-compatible servers send data lines only). */
  omitEventLines?: boolean;
  /** Streams: destroy the connection after this many text deltas. */
  cutAfterDeltas?: number;
  failWith?: { status: number; message: string; type?: string; code?: string };
}

const DEFAULT_USAGE = { input_tokens: 21, output_tokens: 9, cached_tokens: 4, reasoning_tokens: 2 };

const randomId = (prefix: string) => `${prefix}_${Math.random().toString(36).slice(2, 14)}`;

function split(text: string, parts: number): string[] {
  const size = Math.max(1, Math.ceil(text.length / Math.max(1, parts)));
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

/** Answers the Responses API (`POST /responses`) the way api.openai.com does, plain or streamed. */
export function openAiResponses(behaviour: ResponsesBehaviour = {}): FakeHandler {
  return async (req, res) => {
    if (behaviour.failWith) {
      const { status, message, type = 'invalid_request_error', code = null } = behaviour.failWith;
      res.writeHead(status, { 'content-type': 'application/json', 'x-request-id': 'req_fake_error' });
      res.end(JSON.stringify({ error: { message, type, param: null, code } }));
      return;
    }
    const body = (req.json ?? {}) as { model?: string; stream?: boolean; tools?: unknown[]; instructions?: string };
    const model = behaviour.model ?? `${body.model ?? 'gpt-4o-mini'}-2024-07-18`;
    const text = behaviour.text ?? 'Hello from the fake Responses API.';
    const u = { ...DEFAULT_USAGE, ...behaviour.usage };
    const usage = {
      input_tokens: u.input_tokens,
      input_tokens_details: { cached_tokens: u.cached_tokens ?? 0 },
      output_tokens: u.output_tokens,
      output_tokens_details: { reasoning_tokens: u.reasoning_tokens ?? 0 },
      total_tokens: u.input_tokens + u.output_tokens,
    };
    const responseId = randomId('resp');
    const base = {
      id: responseId,
      object: 'response',
      created_at: Math.floor(Date.now() / 1000),
      status: 'in_progress',
      background: false,
      error: null,
      incomplete_details: null,
      instructions: body.instructions ?? null,
      max_output_tokens: null,
      model,
      output: [] as unknown[],
      parallel_tool_calls: true,
      previous_response_id: null,
      reasoning: { effort: null, summary: null },
      store: true,
      temperature: 1,
      text: { format: { type: 'text' } },
      tool_choice: 'auto',
      tools: body.tools ?? [],
      top_p: 1,
      truncation: 'disabled',
      usage: null as unknown,
      user: null,
      metadata: {},
    };
    const messageId = randomId('msg');
    const finalOutput = behaviour.toolCalls?.length
      ? behaviour.toolCalls.map((call) => ({
          id: randomId('fc'),
          type: 'function_call',
          status: 'completed',
          arguments: call.arguments,
          call_id: call.id,
          name: call.name,
        }))
      : [
          {
            id: messageId,
            type: 'message',
            status: 'completed',
            role: 'assistant',
            content: [{ type: 'output_text', text, annotations: [], logprobs: [] }],
          },
        ];
    const completed = { ...base, status: 'completed', output: finalOutput, usage };

    if (!body.stream) {
      res.writeHead(200, { 'content-type': 'application/json', 'x-request-id': 'req_fake' });
      res.end(JSON.stringify(completed));
      return;
    }

    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'x-request-id': 'req_fake' });
    let sequence = 0;
    const send = (type: string, fields: Record<string, unknown>) =>
      writeEvent(res, type, { type, sequence_number: sequence++, ...fields }, behaviour.omitEventLines === true);

    send('response.created', { response: base });
    send('response.in_progress', { response: base });
    if (behaviour.toolCalls?.length) {
      for (const [index, item] of finalOutput.entries()) {
        const call = item as { id: string; arguments: string };
        send('response.output_item.added', { output_index: index, item: { ...item, status: 'in_progress', arguments: '' } });
        send('response.function_call_arguments.delta', { item_id: call.id, output_index: index, delta: call.arguments });
        send('response.function_call_arguments.done', { item_id: call.id, output_index: index, arguments: call.arguments });
        send('response.output_item.done', { output_index: index, item });
      }
    } else {
      const part = { type: 'output_text', text: '', annotations: [], logprobs: [] };
      send('response.output_item.added', {
        output_index: 0,
        item: { id: messageId, type: 'message', status: 'in_progress', role: 'assistant', content: [] },
      });
      send('response.content_part.added', { item_id: messageId, output_index: 0, content_index: 0, part });
      let deltas = 0;
      for (const delta of split(text, behaviour.chunks ?? 3)) {
        if (behaviour.chunkIntervalMs) await sleep(behaviour.chunkIntervalMs);
        send('response.output_text.delta', { item_id: messageId, output_index: 0, content_index: 0, delta, logprobs: [] });
        deltas++;
        if (behaviour.cutAfterDeltas !== undefined && deltas >= behaviour.cutAfterDeltas) {
          await new Promise<void>((resolve) => res.write('', () => resolve()));
          await sleep(20);
          res.socket?.destroy();
          return;
        }
      }
      send('response.output_text.done', { item_id: messageId, output_index: 0, content_index: 0, text, logprobs: [] });
      send('response.content_part.done', {
        item_id: messageId,
        output_index: 0,
        content_index: 0,
        part: { ...part, text },
      });
      send('response.output_item.done', { output_index: 0, item: finalOutput[0] });
    }
    send('response.completed', { response: completed });
    res.end();
  };
}

function writeEvent(res: ServerResponse, type: string, data: unknown, omitEventLine: boolean): void {
  res.write(`${omitEventLine ? '' : `event: ${type}\n`}data: ${JSON.stringify(data)}\n\n`);
}
