import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SluiceError } from '../../lib/errors/sluice-error.ts';
import { geminiToolAnswer } from '../../lib/providers/gemini/tool-answer.ts';
import { geminiCarriesTools, geminiRequestToolView } from '../../lib/providers/gemini/tool-request.ts';
import type { JsonArrayGuard } from '../../lib/providers/gemini/tool-stream.ts';
import type { ToolInvocationPolicy } from '../../lib/security/policy-types.ts';
import { judgeToolCall, mayBlock } from '../../lib/security/tool-invocation.ts';
import { refusalText, type BlockedCall, type StreamGuard, type ToolCallJudge } from '../../lib/security/tool-view.ts';
import { JsonArraySplitter } from '../../lib/streaming/json-array-splitter.ts';
import { chunkings } from '../support/chunking.ts';

function judgeFor(untrusted: boolean, policies: ToolInvocationPolicy[] = []): ToolCallJudge {
  const context = { untrusted, declaredTools: new Set(['search', 'send_email', 'get_time']), policies };
  return { judge: (call) => judgeToolCall(call.name, call.arguments, context), mayBlock: (name) => mayBlock(name, context), observeResult: () => undefined };
}

function run(guard: StreamGuard, chunks: readonly Buffer[]): Buffer {
  const out: Buffer[] = [];
  for (const chunk of chunks) {
    const forwarded = guard.push(chunk);
    if (forwarded) out.push(forwarded);
  }
  const tail = guard.end();
  if (tail) out.push(tail);
  return Buffer.concat(out);
}

function guard(stream: 'sse' | 'json-array', judge: ToolCallJudge, blocked: BlockedCall[][] = []) {
  let arrayGuard: JsonArrayGuard | undefined;
  const made = geminiToolAnswer({ stream, onArrayGuard: (g) => (arrayGuard = g) }).guardStream(judge, (b) => blocked.push(b), refusalText);
  return { guard: made, arrayGuard: () => arrayGuard };
}

const textChunk = (text: string) => ({ candidates: [{ content: { role: 'model', parts: [{ text }] }, index: 0 }], modelVersion: 'gemini-2.5-flash-001' });
const callChunk = (name: string, args: Record<string, unknown>, finish = true) => ({
  candidates: [{ content: { role: 'model', parts: [{ text: 'Doing it.' }, { functionCall: { name, args }, thoughtSignature: 'c2ln' }] }, ...(finish ? { finishReason: 'STOP' } : {}), index: 0 }],
  usageMetadata: { promptTokenCount: 5, candidatesTokenCount: 3, totalTokenCount: 8 },
  modelVersion: 'gemini-2.5-flash-001',
});
const finishChunk = { candidates: [{ content: { role: 'model', parts: [{ text: '' }] }, finishReason: 'STOP', index: 0 }], usageMetadata: { promptTokenCount: 5, candidatesTokenCount: 4, totalTokenCount: 9 } };

const sse = (elements: unknown[]) => Buffer.from(elements.map((e) => `data: ${JSON.stringify(e)}\r\n\r\n`).join(''));
const jsonArray = (elements: unknown[]) => Buffer.from(`[${elements.map((e) => JSON.stringify(e, null, 2)).join('\n,\r\n')}\n]`);

function sseChunks(bytes: Buffer) {
  return bytes
    .toString('utf8')
    .split('\r\n\r\n')
    .filter((event) => event.startsWith('data: '))
    .map((event) => JSON.parse(event.slice(6)) as { candidates: Array<{ content: { parts: Array<Record<string, unknown>> }; finishReason?: string }> });
}

describe('Gemini request view', () => {
  const json = {
    tools: [{ functionDeclarations: [{ name: 'search', description: 'Web search', parametersJsonSchema: { type: 'object' } }] }, { googleSearch: {} }],
    contents: [
      { role: 'user', parts: [{ text: 'hi' }] },
      { role: 'model', parts: [{ functionCall: { id: 'c1', name: 'search', args: { q: 'x' } } }, { functionCall: { name: 'get_time', args: {} } }] },
      {
        role: 'user',
        parts: [
          { functionResponse: { id: 'c1', name: 'search', response: { output: '{"results":[{"source":"https://a"}]}' } } },
          { functionResponse: { name: 'get_time', response: { time: '10:00', zone: 'UTC' } } },
          { functionResponse: { name: 'never_called', response: { output: 'x' } } },
          { functionResponse: { id: 'c9', name: 'search', response: { output: 'late' }, parts: [{ inlineData: { mimeType: 'image/png', data: 'AAAA' } }] } },
        ],
      },
    ],
  };

  it('reads declarations and ties results to calls by id, else by name', () => {
    const view = geminiRequestToolView(structuredClone(json));
    expect(view.declaredTools).toEqual([{ name: 'search', description: 'Web search', parameters: { type: 'object' } }]);
    expect(view.toolResults.map(({ callId, toolName, content }) => ({ callId, toolName, content }))).toEqual([
      { callId: 'c1', toolName: 'search', content: { results: [{ source: 'https://a' }] } },
      { callId: 'name:get_time', toolName: 'get_time', content: { time: '10:00', zone: 'UTC' } },
      { callId: 'name:never_called', toolName: undefined, content: 'x' },
      { callId: 'c9', toolName: 'search', content: 'late' },
    ]);
  });

  it('replaces a result with an output the model reads, dropping its media parts', () => {
    const copy = structuredClone(json);
    const view = geminiRequestToolView(copy);
    view.toolResults[3]!.replace('withheld');
    const rebuilt = JSON.parse(view.rebuildBody().toString('utf8')) as typeof json;
    expect(rebuilt.contents[2]!.parts[3]).toEqual({ functionResponse: { id: 'c9', name: 'search', response: { output: 'withheld' } } });
  });

  it('carries tools only with function declarations or function responses', () => {
    expect(geminiCarriesTools(json)).toBe(true);
    expect(geminiCarriesTools({ contents: [{ role: 'user', parts: [{ text: 'hi' }] }], tools: [{ googleSearch: {} }] })).toBe(false);
    expect(geminiCarriesTools({ contents: json.contents })).toBe(true);
  });
});

describe('Gemini answers', () => {
  const dialect = geminiToolAnswer({ stream: 'sse' });
  const answer = Buffer.from(JSON.stringify(callChunk('send_email', { to: 'x@evil.example' })));

  it('lists function calls, with the name standing in for a missing id', () => {
    expect(dialect.toolCalls(answer)).toEqual([{ id: 'send_email', name: 'send_email', arguments: { to: 'x@evil.example' } }]);
  });

  it('refuses by removing the calls, adding the text and finishing with STOP', () => {
    const refused = JSON.parse(dialect.refuse(answer, 'No.').toString('utf8')) as ReturnType<typeof callChunk>;
    expect(refused.candidates[0]!.content.parts).toEqual([{ text: 'Doing it.' }, { text: 'No.' }]);
    expect(refused.candidates[0]!.finishReason).toBe('STOP');
    expect(refused.usageMetadata.totalTokenCount).toBe(8);
  });
});

describe('Gemini stream guards', () => {
  const allowedStream = [textChunk('Let me '), textChunk('check.'), callChunk('get_time', {}, false), finishChunk];
  const blockedStream = [textChunk('Sure.'), callChunk('send_email', { to: 'x@evil.example' }, false), textChunk(' more'), finishChunk];

  it.each(['sse', 'json-array'] as const)('%s: a call nothing could block passes at once, byte for byte, however the bytes are cut', (format) => {
    const bytes = format === 'sse' ? sse(allowedStream) : jsonArray(allowedStream);
    fc.assert(
      fc.property(chunkings(bytes), (chunks) => {
        const { guard: g } = guard(format, judgeFor(true, [{ id: 't', toolName: 'get_time', conditions: [], action: 'allow_when_context_is_untrusted' }]));
        expect(run(g, chunks).equals(bytes)).toBe(true);
      }),
    );
  });

  it.each(['sse', 'json-array'] as const)('%s: a held call that is allowed is released byte for byte', (format) => {
    const bytes = format === 'sse' ? sse(blockedStream) : jsonArray(blockedStream);
    fc.assert(
      fc.property(chunkings(bytes), (chunks) => {
        const blocked: BlockedCall[][] = [];
        // A block_always policy with conditions makes the call held; its arguments do not match it.
        const policy: ToolInvocationPolicy = { id: 'n', toolName: 'send_email', conditions: [{ key: 'to', operator: 'endsWith', value: '@nowhere.example' }], action: 'block_always' };
        const { guard: g } = guard(format, judgeFor(false, [policy]), blocked);
        expect(run(g, chunks).equals(bytes)).toBe(true);
        expect(blocked).toEqual([]);
      }),
    );
  });

  it.each(['sse', 'json-array'] as const)('%s: a blocked call is replaced by one chunk with the held text and the refusal', (format) => {
    const bytes = format === 'sse' ? sse(blockedStream) : jsonArray(blockedStream);
    fc.assert(
      fc.property(chunkings(bytes), (chunks) => {
        const blocked: BlockedCall[][] = [];
        const { guard: g } = guard(format, judgeFor(true), blocked);
        const out = run(g, chunks);
        const elements = format === 'sse' ? sseChunks(out) : (JSON.parse(out.toString('utf8')) as ReturnType<typeof sseChunks>);
        expect(elements).toHaveLength(2);
        expect(elements[0]).toEqual(textChunk('Sure.'));
        const parts = elements[1]!.candidates[0]!.content.parts;
        expect(parts.slice(0, 3)).toEqual([{ text: 'Doing it.' }, { text: ' more' }, { text: '' }]);
        expect(String(parts[3]!.text)).toMatch(/Sluice blocked a tool call[\s\S]*send_email/);
        expect(elements[1]!.candidates[0]!.finishReason).toBe('STOP');
        expect(blocked).toHaveLength(1);
      }),
    );
  });

  it('judges a Vertex call whose arguments arrive in parts on the assembled arguments', () => {
    const part = (functionCall: Record<string, unknown>, finish = false) => ({
      candidates: [{ content: { role: 'model', parts: [{ functionCall }] }, ...(finish ? { finishReason: 'STOP' } : {}), index: 0 }],
    });
    const stream = [
      part({ name: 'send_email', willContinue: true }),
      part({ partialArgs: [{ jsonPath: '$.to', stringValue: 'boss@corp', willContinue: true }], willContinue: true }),
      part({ partialArgs: [{ jsonPath: '$.to', stringValue: '.evil.example' }, { jsonPath: "$['cc'][0]", stringValue: 'me' }], willContinue: true }),
      part({ partialArgs: [{ jsonPath: '$.__proto__.polluted', stringValue: 'yes' }] }, true),
    ];
    const policy: ToolInvocationPolicy = { id: 'outside', toolName: 'send_email', conditions: [{ key: 'to', operator: 'endsWith', value: '.evil.example' }], action: 'block_always' };
    const blocked: BlockedCall[][] = [];
    const { guard: g } = guard('sse', judgeFor(false, [policy]), blocked);
    run(g, [sse(stream)]);
    expect(blocked[0]![0]!.call.arguments).toEqual({ to: 'boss@corp.evil.example', cc: ['me'] });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('sse: passes an error event on unchanged after judging what it held, however the bytes are cut', () => {
    const errorEvent = Buffer.from('data: {"error":{"code":503,"status":"UNAVAILABLE","message":"overloaded"}}\r\n\r\n');
    const bytes = Buffer.concat([sse([textChunk('a'), callChunk('send_email', {}, false)]), errorEvent]);
    fc.assert(
      fc.property(chunkings(bytes), (chunks) => {
        const out = run(guard('sse', judgeFor(true)).guard, chunks);
        expect(out.subarray(out.length - errorEvent.length).equals(errorEvent)).toBe(true);
        expect(out.toString('utf8')).toContain('Sluice blocked');
      }),
    );
  });

  it('judges what is held when an error chunk ends the stream, then passes the error on', () => {
    const error = { error: { code: 503, status: 'UNAVAILABLE', message: 'overloaded' } };
    const { guard: g } = guard('json-array', judgeFor(true));
    const out = JSON.parse(run(g, [jsonArray([callChunk('send_email', {}, false), error])]).toString('utf8')) as unknown[];
    expect(out).toHaveLength(2);
    expect(JSON.stringify(out[0])).toContain('Sluice blocked');
    expect(out[1]).toEqual(error);
  });

  it('closes a JSON array that broke while a call was held from what the client received', () => {
    const { guard: g, arrayGuard } = guard('json-array', judgeFor(true));
    const bytes = jsonArray([textChunk('a'), callChunk('send_email', {}, false)]);
    // The stream breaks after the call's element, before the array is closed.
    const sent = g.push(bytes.subarray(0, bytes.length - 2))!;
    expect(g.holding()).toBe(true);
    const tail = arrayGuard()!.errorTail(new SluiceError('upstream_error', 'broken'));
    const elements = JSON.parse(Buffer.concat([sent, g.keepAlive(), tail]).toString('utf8')) as Array<{ error?: { code: number } }>;
    expect(elements).toHaveLength(2);
    expect(elements[1]!.error!.code).toBe(502);
  });
});

describe('JsonArraySplitter', () => {
  it('gives back every byte, elements whole, however the array is cut', () => {
    const element = fc.dictionary(fc.string(), fc.oneof(fc.string(), fc.integer(), fc.array(fc.string(), { maxLength: 3 })));
    fc.assert(
      fc.property(fc.array(element, { minLength: 1, maxLength: 4 }), fc.array(fc.nat(), { maxLength: 8 }), (values, cuts) => {
        const bytes = Buffer.from(`[${values.map((v) => JSON.stringify(v, null, 1)).join('\n,\r\n')}\n]`);
        const splitter = new JsonArraySplitter();
        const pieces = [];
        let start = 0;
        for (const cut of [...new Set(cuts.map((c) => c % bytes.length))].sort((a, b) => a - b)) {
          pieces.push(...splitter.push(bytes.subarray(start, cut)));
          start = cut;
        }
        pieces.push(...splitter.push(bytes.subarray(start)));
        expect(Buffer.concat(pieces.map((p) => p.bytes)).equals(bytes)).toBe(true);
        expect(pieces.filter((p) => p.kind === 'element').map((p) => JSON.parse(p.bytes.toString('utf8')))).toEqual(values);
        expect(splitter.closed).toBe(true);
      }),
    );
  });
});
