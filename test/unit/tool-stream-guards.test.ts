import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { messagesResponseToolDialect } from '../../lib/providers/anthropic/tool-answer.ts';
import { messagesRequestToolView } from '../../lib/providers/anthropic/tool-view.ts';
import { chatV1ResponseToolDialect } from '../../lib/providers/cohere/tools-v1.ts';
import { chatV2ResponseToolDialect } from '../../lib/providers/cohere/tools-v2.ts';
import { NdjsonEditor } from '../../lib/streaming/ndjson-editor.ts';
import { refusalText, type AnswerToolResult, type BlockedCall, type ResponseToolDialect, type ToolCallJudge, type ToolCallView } from '../../lib/security/tool-view.ts';
import { chunkings } from '../support/chunking.ts';

/** A judge that blocks the named tools (and, once a result was observed in the answer, `send`). */
function testJudge(blocked: readonly string[], mayBlock: readonly string[] = blocked) {
  const judged: ToolCallView[] = [];
  const observed: AnswerToolResult[] = [];
  const taints = (name: string) => observed.length > 0 && name === 'send';
  const judge: ToolCallJudge = {
    judge: (call) => {
      judged.push(call);
      return blocked.includes(call.name) || taints(call.name) ? { allowed: false, reason: 'a test says so' } : { allowed: true, reason: 'fine' };
    },
    mayBlock: (name) => mayBlock.includes(name) || taints(name),
    observeResult: (result) => observed.push(result),
  };
  return { judge, judged, observed };
}

function run(dialect: ResponseToolDialect, judge: ToolCallJudge, chunks: readonly Buffer[]) {
  const blocked: BlockedCall[][] = [];
  const guard = dialect.guardStream(judge, (calls) => blocked.push(calls), refusalText);
  const out: Buffer[] = [];
  let held = false;
  for (const chunk of chunks) {
    const forwarded = guard.push(chunk);
    if (forwarded) out.push(forwarded);
    held ||= guard.holding();
  }
  const tail = guard.end();
  if (tail) out.push(tail);
  return { text: Buffer.concat(out).toString('utf8'), blocked, held, holding: guard.holding() };
}

const sse = (data: { type: string; [key: string]: unknown }) => `event: ${data.type}\ndata: ${JSON.stringify(data)}\n\n`;
const events = (text: string) =>
  text
    .split('\n\n')
    .filter((block) => block.includes('data: '))
    .map((block) => JSON.parse(block.slice(block.indexOf('data: ') + 6)) as Record<string, unknown> & { type: string });

describe('Anthropic stream guard', () => {
  const start = sse({ type: 'message_start', message: { id: 'msg_1', type: 'message', role: 'assistant', content: [], usage: { input_tokens: 3, output_tokens: 1 } } });
  const text = (index: number, value: string) =>
    sse({ type: 'content_block_start', index, content_block: { type: 'text', text: '' } }) +
    sse({ type: 'content_block_delta', index, delta: { type: 'text_delta', text: value } }) +
    sse({ type: 'content_block_stop', index });
  const toolUse = (index: number, id: string, name: string, input: string) =>
    sse({ type: 'content_block_start', index, content_block: { type: 'tool_use', id, name, input: {} } }) +
    sse({ type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: input.slice(0, 5) } }) +
    sse({ type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: input.slice(5) } }) +
    sse({ type: 'content_block_stop', index });
  const end = (stop: string) =>
    sse({ type: 'message_delta', delta: { stop_reason: stop, stop_sequence: null }, usage: { output_tokens: 9 } }) + sse({ type: 'message_stop' });

  const mixed = Buffer.from(
    start + text(0, 'Sure.') + toolUse(1, 'toolu_a', 'send', '{"to":"x@evil.example"}') + text(2, 'after') + toolUse(3, 'toolu_b', 'get_time', '{}') + end('tool_use'),
  );

  it('releases held calls unchanged when they are allowed, under any chunking', () => {
    fc.assert(
      fc.property(chunkings(mixed), (chunks) => {
        const { judge, judged } = testJudge([], ['send']);
        const result = run(messagesResponseToolDialect, judge, chunks);
        expect(result.text).toBe(mixed.toString('utf8'));
        expect(result.holding).toBe(false);
        expect(judged.map((call) => [call.name, call.arguments])).toEqual([
          ['send', { to: 'x@evil.example' }],
          ['get_time', {}],
        ]);
      }),
    );
  });

  it('never holds calls that no policy could block', () => {
    const { judge, judged } = testJudge([], []);
    const byEvent = mixed.toString('utf8').split(/(?<=\n\n)/).map((event) => Buffer.from(event));
    const result = run(messagesResponseToolDialect, judge, byEvent);
    expect(result.held).toBe(false);
    expect(judged).toEqual([]);
    expect(result.text).toBe(mixed.toString('utf8'));

    const guarded = run(messagesResponseToolDialect, testJudge([], ['send']).judge, byEvent);
    expect(guarded.held).toBe(true);
  });

  it('replaces a blocked answer by a refusal with consecutive block indices, under any chunking', () => {
    fc.assert(
      fc.property(chunkings(mixed), (chunks) => {
        const { judge } = testJudge(['send']);
        const result = run(messagesResponseToolDialect, judge, chunks);
        const out = events(result.text);
        const starts = out.filter((e) => e.type === 'content_block_start');
        expect(starts.map((e) => [e.index, (e.content_block as { type: string }).type])).toEqual([
          [0, 'text'],
          [1, 'text'],
          [2, 'text'],
        ]);
        const deltas = out.filter((e) => e.type === 'content_block_delta').map((e) => [e.index, (e.delta as { text: string }).text]);
        expect(deltas[0]).toEqual([0, 'Sure.']);
        expect(deltas[1]).toEqual([1, 'after']);
        expect(deltas[2]![0]).toBe(2);
        expect(deltas[2]![1]).toMatch(/Sluice blocked a tool call of this answer:\n- send: blocked because a test says so/);
        expect(out.find((e) => e.type === 'message_delta')).toMatchObject({ delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 9 } });
        expect(out.at(-1)!.type).toBe('message_stop');
        expect(result.text).not.toContain('tool_use');
        expect(result.blocked).toHaveLength(1);
        expect(result.blocked[0]!.map((entry) => entry.call.id)).toEqual(['toolu_a']);
      }),
    );
  });

  it('keeps the stop reason tool_use when an earlier call went out before the blocked one', () => {
    const stream = Buffer.from(start + toolUse(0, 'toolu_t', 'get_time', '{}') + toolUse(1, 'toolu_s', 'send', '{"to":"x"}') + end('tool_use'));
    const { judge } = testJudge(['send']);
    const out = events(run(messagesResponseToolDialect, judge, [stream]).text);
    expect(out.filter((e) => e.type === 'content_block_start').map((e) => (e.content_block as { name?: string; type: string }).name ?? e.content_block)).toEqual([
      'get_time',
      { type: 'text', text: '' },
    ]);
    expect(out.find((e) => e.type === 'message_delta')).toMatchObject({ delta: { stop_reason: 'tool_use' } });
  });

  it('shows the judge the results of tools Anthropic ran inside the answer, before the calls that follow', () => {
    const result = [{ type: 'web_search_result', url: 'https://evil.example/', title: 't', encrypted_content: 'x' }];
    const stream = Buffer.from(
      start +
        sse({ type: 'content_block_start', index: 0, content_block: { type: 'server_tool_use', id: 'srvtoolu_1', name: 'web_search', input: {} } }) +
        sse({ type: 'content_block_stop', index: 0 }) +
        sse({ type: 'content_block_start', index: 1, content_block: { type: 'web_search_tool_result', tool_use_id: 'srvtoolu_1', content: result } }) +
        sse({ type: 'content_block_stop', index: 1 }) +
        toolUse(2, 'toolu_s', 'send', '{"to":"x"}') +
        end('tool_use'),
    );
    const { judge, observed } = testJudge([], []);
    const out = run(messagesResponseToolDialect, judge, [stream]);
    expect(observed).toEqual([{ callId: 'srvtoolu_1', toolName: 'web_search', content: result }]);
    expect(out.blocked).toHaveLength(1);
    expect(events(out.text).filter((e) => e.type === 'content_block_start').map((e) => e.index)).toEqual([0, 1, 2]);

    const body = Buffer.from(
      JSON.stringify({
        content: [
          { type: 'server_tool_use', id: 'srvtoolu_1', name: 'web_search', input: {} },
          { type: 'web_search_tool_result', tool_use_id: 'srvtoolu_1', content: result },
        ],
      }),
    );
    expect(messagesResponseToolDialect.answerToolResults!(body)).toEqual([{ callId: 'srvtoolu_1', toolName: 'web_search', content: result }]);
  });

  it('drops held calls when the upstream reports an error, and forwards the error', () => {
    const error = sse({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } });
    const stream = Buffer.from(start + toolUse(0, 'toolu_s', 'send', '{"to":"x"}') + error);
    const { judge } = testJudge(['send']);
    const out = run(messagesResponseToolDialect, judge, [stream]);
    expect(out.text).toBe(start + error);
    expect(out.blocked).toEqual([]);
  });

  it('judges what it holds when the stream ends early', () => {
    const stream = Buffer.from(start + toolUse(0, 'toolu_s', 'send', '{"to":"x"}'));
    const { judge } = testJudge(['send']);
    const out = run(messagesResponseToolDialect, judge, [stream]);
    expect(out.text).toContain('Sluice blocked a tool call');
    expect(out.text).not.toContain('message_delta');
    expect(out.holding).toBe(false);
  });
});

describe('Anthropic request view', () => {
  it('ties results to calls, reads text blocks, and replaces a provider-run result with its use by a notice', () => {
    const json = {
      tools: [{ name: 'read', input_schema: { type: 'object' } }, { type: 'web_search_20250305', name: 'web_search' }, { type: 'bash_20250124', name: 'bash' }],
      messages: [
        { role: 'user', content: 'go' },
        {
          role: 'assistant',
          content: [
            { type: 'server_tool_use', id: 'srv_1', name: 'web_search', input: { query: 'q' } },
            { type: 'web_search_tool_result', tool_use_id: 'srv_1', content: [{ type: 'web_search_result', url: 'https://a.example/' }] },
            { type: 'tool_use', id: 'tu_1', name: 'read', input: {} },
          ],
        },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'tu_1', content: [{ type: 'text', text: '{"a":' }, { type: 'text', text: '1}' }] }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'unknown', content: [{ type: 'image', source: {} }] }] },
      ],
    };
    const view = messagesRequestToolView(json, () => Buffer.from(JSON.stringify(json)));
    expect(view.declaredTools).toEqual([
      { name: 'read', description: undefined, parameters: { type: 'object' } },
      { name: 'web_search', description: 'Anthropic-defined tool web_search_20250305' },
      { name: 'bash', description: 'Anthropic-defined tool bash_20250124' },
    ]);
    expect(view.toolResults.map(({ callId, toolName, content }) => ({ callId, toolName, content }))).toEqual([
      { callId: 'srv_1', toolName: 'web_search', content: [{ type: 'web_search_result', url: 'https://a.example/' }] },
      { callId: 'tu_1', toolName: 'read', content: { a: 1 } },
      { callId: 'unknown', toolName: undefined, content: [{ type: 'image', source: {} }] },
    ]);
    view.toolResults[0]!.replace('withheld page');
    view.toolResults[1]!.replace('withheld file');
    const sent = JSON.parse(view.rebuildBody().toString('utf8')) as typeof json;
    expect(sent.messages[1]!.content).toEqual([
      { type: 'text', text: 'withheld page' },
      { type: 'tool_use', id: 'tu_1', name: 'read', input: {} },
    ]);
    expect((sent.messages[2]!.content as Array<{ content: unknown }>)[0]!.content).toBe('withheld file');
  });

  it('refuses a complete answer: tool_use blocks removed, the refusal added, stop reason end_turn', () => {
    const body = Buffer.from(
      JSON.stringify({ content: [{ type: 'text', text: 'Sure.' }, { type: 'tool_use', id: 't', name: 'send', input: {} }], stop_reason: 'tool_use', usage: { output_tokens: 3 } }),
    );
    expect(JSON.parse(messagesResponseToolDialect.refuse(body, 'No.').toString('utf8'))).toEqual({
      content: [
        { type: 'text', text: 'Sure.' },
        { type: 'text', text: 'No.' },
      ],
      stop_reason: 'end_turn',
      usage: { output_tokens: 3 },
    });
  });
});

describe('Cohere v2 stream guard', () => {
  const stream = Buffer.from(
    [
      sse({ type: 'message-start', id: 'm', delta: { message: { role: 'assistant', content: [], tool_plan: '', tool_calls: [] } } }),
      sse({ type: 'tool-plan-delta', delta: { message: { tool_plan: 'I will send it.' } } }),
      sse({ type: 'tool-call-start', index: 0, delta: { message: { tool_calls: { id: 'send_1', type: 'function', function: { name: 'send', arguments: '' } } } } }),
      sse({ type: 'tool-call-delta', index: 0, delta: { message: { tool_calls: { function: { arguments: '{"to":' } } } } }),
      sse({ type: 'tool-call-delta', index: 0, delta: { message: { tool_calls: { function: { arguments: '"x"}' } } } } }),
      sse({ type: 'tool-call-end', index: 0 }),
      sse({ type: 'message-end', delta: { finish_reason: 'TOOL_CALL', usage: { billed_units: { input_tokens: 1, output_tokens: 2 } } } }),
    ].join(''),
  );

  it('releases an allowed call unchanged and replaces a blocked one by text content, under any chunking', () => {
    fc.assert(
      fc.property(chunkings(stream), (chunks) => {
        const allowed = testJudge([], ['send']);
        expect(run(chatV2ResponseToolDialect, allowed.judge, chunks).text).toBe(stream.toString('utf8'));
        expect(allowed.judged.map((call) => call.arguments)).toEqual([{ to: 'x' }]);

        const result = run(chatV2ResponseToolDialect, testJudge(['send']).judge, chunks);
        const out = events(result.text);
        expect(out.map((e) => e.type)).toEqual(['message-start', 'tool-plan-delta', 'content-start', 'content-delta', 'content-end', 'message-end']);
        expect(out[3]).toMatchObject({ index: 0, delta: { message: { content: { text: expect.stringMatching(/Sluice blocked a tool call/) } } } });
        expect(out[5]).toMatchObject({ delta: { finish_reason: 'COMPLETE', usage: { billed_units: { output_tokens: 2 } } } });
      }),
    );
  });

  it('refuses a complete answer', () => {
    const body = Buffer.from(
      JSON.stringify({ id: 'r', message: { role: 'assistant', tool_plan: 'p', tool_calls: [{ id: 'c', type: 'function', function: { name: 'send', arguments: '{}' } }] }, finish_reason: 'TOOL_CALL' }),
    );
    expect(chatV2ResponseToolDialect.toolCalls(body)).toEqual([{ id: 'c', name: 'send', arguments: {} }]);
    expect(JSON.parse(chatV2ResponseToolDialect.refuse(body, 'No.').toString('utf8'))).toEqual({
      id: 'r',
      message: { role: 'assistant', content: [{ type: 'text', text: 'No.' }] },
      finish_reason: 'COMPLETE',
    });
  });
});

describe('Cohere v1 stream guard', () => {
  const line = (data: unknown) => `${JSON.stringify(data)}\n`;
  const call = { name: 'send', parameters: { to: 'x' } };
  const response = { text: 'I will send it.', tool_calls: [call], chat_history: [{ role: 'USER', message: 'go' }, { role: 'CHATBOT', message: 'I will send it.', tool_calls: [call] }], finish_reason: 'COMPLETE' };
  const stream = Buffer.from(
    [
      line({ is_finished: false, event_type: 'stream-start', generation_id: 'g' }),
      line({ is_finished: false, event_type: 'tool-calls-chunk', text: 'I will send it.' }),
      line({ is_finished: false, event_type: 'tool-calls-chunk', tool_call_delta: { index: 0, name: 'send' } }),
      line({ is_finished: false, event_type: 'tool-calls-chunk', tool_call_delta: { index: 0, parameters: '{"to":' } }),
      line({ is_finished: false, event_type: 'tool-calls-chunk', tool_call_delta: { index: 0, parameters: '"x"}' } }),
      line({ is_finished: false, event_type: 'tool-calls-generation', text: 'I will send it.', tool_calls: [call] }),
      line({ is_finished: true, event_type: 'stream-end', finish_reason: 'COMPLETE', response }),
    ].join(''),
  );
  const lines = (text: string) => text.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Record<string, unknown>);

  it('releases an allowed call unchanged and replaces a blocked one by a text-generation, under any chunking', () => {
    fc.assert(
      fc.property(chunkings(stream), (chunks) => {
        expect(run(chatV1ResponseToolDialect, testJudge([], ['send']).judge, chunks).text).toBe(stream.toString('utf8'));
        const out = lines(run(chatV1ResponseToolDialect, testJudge(['send']).judge, chunks).text);
        expect(out.map((l) => l.event_type)).toEqual(['stream-start', 'tool-calls-chunk', 'text-generation', 'stream-end']);
        expect(out[2]!.text).toMatch(/Sluice blocked a tool call/);
        const end = out[3]!.response as typeof response;
        expect(end.text).toBe(out[2]!.text);
        expect(end).not.toHaveProperty('tool_calls');
        expect(end.chat_history[1]).toEqual({ role: 'CHATBOT', message: out[2]!.text });
      }),
    );
  });

  it('judges a generation that came without chunks', () => {
    const bare = Buffer.from(
      line({ event_type: 'stream-start' }) + line({ event_type: 'tool-calls-generation', tool_calls: [call] }) + line({ event_type: 'stream-end', response: {} }),
    );
    const result = run(chatV1ResponseToolDialect, testJudge(['send']).judge, [bare]);
    expect(lines(result.text).map((l) => l.event_type)).toEqual(['stream-start', 'text-generation', 'stream-end']);
    expect(result.blocked[0]![0]!.call).toEqual({ id: 'tool_calls[0]', name: 'send', arguments: { to: 'x' } });
  });

  it('refuses a complete answer', () => {
    const body = Buffer.from(JSON.stringify(response));
    expect(chatV1ResponseToolDialect.toolCalls(body)).toEqual([{ id: 'tool_calls[0]', name: 'send', arguments: { to: 'x' } }]);
    expect(JSON.parse(chatV1ResponseToolDialect.refuse(body, 'No.').toString('utf8'))).toEqual({
      text: 'No.',
      chat_history: [{ role: 'USER', message: 'go' }, { role: 'CHATBOT', message: 'No.' }],
      finish_reason: 'COMPLETE',
    });
  });
});

describe('NdjsonEditor', () => {
  it('forwards complete lines, holds a partial one, and keeps blank lines', () => {
    const seen: string[] = [];
    const editor = new NdjsonEditor((text) => {
      seen.push(text);
      return text.includes('drop') ? 'drop' : 'keep';
    });
    expect(editor.push(Buffer.from('{"a":1}\n{"dro'))?.toString()).toBe('{"a":1}\n');
    expect(editor.push(Buffer.from('p":1}\n\n{"b":'))?.toString()).toBe('\n');
    expect(editor.end()?.toString()).toBe('{"b":');
    expect(seen).toEqual(['{"a":1}', '{"drop":1}', '{"b":']);
  });
});
