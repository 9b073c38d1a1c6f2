import { EventStreamCodec } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { converseToolAnswer } from '../../lib/providers/bedrock/tool-answer.ts';
import { bedrockCarriesTools, bedrockRequestToolView } from '../../lib/providers/bedrock/tool-request.ts';
import type { ToolInvocationPolicy } from '../../lib/security/policy-types.ts';
import { judgeToolCall, mayBlock } from '../../lib/security/tool-invocation.ts';
import { refusalText, type BlockedCall, type StreamGuard, type ToolCallJudge } from '../../lib/security/tool-view.ts';
import { converseStreamFrames, exceptionFrame } from '../fakes/bedrock-upstream.ts';
import { chunkings } from '../support/chunking.ts';

const codec = new EventStreamCodec(toUtf8, fromUtf8);

function judgeFor(untrusted: boolean, policies: ToolInvocationPolicy[] = []): ToolCallJudge {
  const context = { untrusted, declaredTools: new Set(['lookup', 'send_email']), policies };
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

/** The frames of a stream as event type and JSON payload. */
function events(bytes: Buffer): Array<[string, Record<string, unknown>]> {
  const out: Array<[string, Record<string, unknown>]> = [];
  for (let offset = 0; offset < bytes.length; ) {
    const length = bytes.readUInt32BE(offset);
    const message = codec.decode(bytes.subarray(offset, offset + length));
    const type = String(message.headers[':event-type']?.value ?? message.headers[':exception-type']?.value);
    out.push([type, JSON.parse(toUtf8(message.body)) as Record<string, unknown>]);
    offset += length;
  }
  return out;
}

describe('Bedrock request view', () => {
  const json = {
    toolConfig: { tools: [{ toolSpec: { name: 'lookup', description: 'Looks up', inputSchema: { json: { type: 'object' } } } }, { cachePoint: { type: 'default' } }] },
    messages: [
      { role: 'user', content: [{ text: 'hi' }] },
      { role: 'assistant', content: [{ text: 'Looking.' }, { toolUse: { toolUseId: 'tu_1', name: 'lookup', input: {} } }, { toolUse: { toolUseId: 'tu_2', name: 'lookup', input: {} } }] },
      {
        role: 'user',
        content: [
          { toolResult: { toolUseId: 'tu_1', content: [{ text: '{"from":' }, { text: '"a@corp.example"}' }], status: 'success' } },
          { toolResult: { toolUseId: 'tu_2', content: [{ json: { rows: [1] } }, { text: 'more' }] } },
          { toolResult: { toolUseId: 'tu_unknown', content: [{ json: { x: 1 } }] } },
        ],
      },
    ],
  };

  it('reads tool specs and ties results to their toolUse', () => {
    const view = bedrockRequestToolView(structuredClone(json));
    expect(view.declaredTools).toEqual([{ name: 'lookup', description: 'Looks up', parameters: { type: 'object' } }]);
    expect(view.toolResults.map(({ callId, toolName, content }) => ({ callId, toolName, content }))).toEqual([
      { callId: 'tu_1', toolName: 'lookup', content: { from: 'a@corp.example' } },
      { callId: 'tu_2', toolName: 'lookup', content: [{ rows: [1] }, 'more'] },
      { callId: 'tu_unknown', toolName: undefined, content: { x: 1 } },
    ]);
  });

  it('replaces a result by a text block and keeps its id and status', () => {
    const view = bedrockRequestToolView(structuredClone(json));
    view.toolResults[0]!.replace('withheld');
    const rebuilt = JSON.parse(view.rebuildBody().toString('utf8')) as typeof json;
    expect(rebuilt.messages[2]!.content[0]).toEqual({ toolResult: { toolUseId: 'tu_1', content: [{ text: 'withheld' }], status: 'success' } });
  });

  it('carries tools only with tool specs or tool results', () => {
    expect(bedrockCarriesTools(json)).toBe(true);
    expect(bedrockCarriesTools({ messages: [{ role: 'user', content: [{ text: 'hi' }] }] })).toBe(false);
    expect(bedrockCarriesTools({ messages: json.messages })).toBe(true);
  });
});

describe('Converse answers', () => {
  const answer = Buffer.from(
    JSON.stringify({
      output: { message: { role: 'assistant', content: [{ text: 'Sending.' }, { toolUse: { toolUseId: 'tu_9', name: 'send_email', input: { to: 'x@evil.example' } } }] } },
      stopReason: 'tool_use',
      usage: { inputTokens: 1, outputTokens: 2, totalTokens: 3 },
    }),
  );

  it('lists tool uses and refuses them with a text block and end_turn', () => {
    expect(converseToolAnswer.toolCalls(answer)).toEqual([{ id: 'tu_9', name: 'send_email', arguments: { to: 'x@evil.example' } }]);
    const refused = JSON.parse(converseToolAnswer.refuse(answer, 'No.').toString('utf8')) as { output: { message: { content: unknown[] } }; stopReason: string; usage: unknown };
    expect(refused.output.message.content).toEqual([{ text: 'Sending.' }, { text: 'No.' }]);
    expect(refused.stopReason).toBe('end_turn');
    expect(refused.usage).toEqual({ inputTokens: 1, outputTokens: 2, totalTokens: 3 });
  });
});

describe('ConverseStream guard', () => {
  const toolUses = [
    { toolUseId: 'tu_1', name: 'lookup', input: { q: 'x' } },
    { toolUseId: 'tu_2', name: 'send_email', input: { to: 'x@evil.example' } },
  ];
  const bytes = Buffer.concat(converseStreamFrames({ toolUses, textBeforeToolUse: 'On it.' }));

  it('passes a stream whose calls nothing could block, byte for byte, however it is cut', () => {
    fc.assert(
      fc.property(chunkings(bytes), (chunks) => {
        const guard = converseToolAnswer.guardStream(judgeFor(false), () => undefined, refusalText);
        expect(run(guard, chunks).equals(bytes)).toBe(true);
      }),
    );
  });

  it('holds from a guarded toolUse and releases the frames unchanged when every call is allowed', () => {
    const policy: ToolInvocationPolicy = { id: 'p', toolName: 'send_email', conditions: [{ key: 'to', operator: 'endsWith', value: '@nowhere.example' }], action: 'block_always' };
    fc.assert(
      fc.property(chunkings(bytes), (chunks) => {
        const blocked: BlockedCall[][] = [];
        const guard = converseToolAnswer.guardStream(judgeFor(false, [policy]), (b) => blocked.push(b), refusalText);
        expect(run(guard, chunks).equals(bytes)).toBe(true);
        expect(blocked).toEqual([]);
      }),
    );
  });

  it('replaces a blocked toolUse by a text block and a messageStop; a call already sent keeps tool_use', () => {
    fc.assert(
      fc.property(chunkings(bytes), (chunks) => {
        const blocked: BlockedCall[][] = [];
        const allowLookup: ToolInvocationPolicy = { id: 'l', toolName: 'lookup', conditions: [], action: 'allow_when_context_is_untrusted' };
        const guard = converseToolAnswer.guardStream(judgeFor(true, [allowLookup]), (b) => blocked.push(b), refusalText);
        const out = events(run(guard, chunks));
        expect(out.map(([type]) => type)).toEqual([
          'messageStart',
          'contentBlockDelta',
          'contentBlockStop',
          'contentBlockStart',
          'contentBlockDelta',
          'contentBlockDelta',
          'contentBlockStop',
          'contentBlockDelta',
          'contentBlockStop',
          'messageStop',
          'metadata',
        ]);
        expect(out[7]![1]).toEqual({ contentBlockIndex: 2, delta: { text: expect.stringMatching(/Sluice blocked a tool call[\s\S]*send_email/) } });
        expect(out[9]![1]).toMatchObject({ stopReason: 'tool_use' });
        expect(blocked[0]!.map((b) => b.call)).toEqual([{ id: 'tu_2', name: 'send_email', arguments: { to: 'x@evil.example' } }]);
      }),
    );
  });

  it('judges what it holds when an exception ends the stream, then passes the exception on', () => {
    const frames = converseStreamFrames({ toolUses: [toolUses[1]!] });
    const exception = Buffer.from(exceptionFrame('modelStreamErrorException', 'boom'));
    const guard = converseToolAnswer.guardStream(judgeFor(true), () => undefined, refusalText);
    const out = run(guard, [Buffer.concat([...frames.slice(0, 3), exception])]);
    expect(events(out).map(([type]) => type)).toEqual(['messageStart', 'contentBlockDelta', 'contentBlockStop', 'modelStreamErrorException']);
    expect(out.subarray(out.length - exception.length).equals(exception)).toBe(true);
  });

  it('keeps the client quiet with an event of a type the SDK does not know', () => {
    const guard = converseToolAnswer.guardStream(judgeFor(true), () => undefined, refusalText);
    const message = codec.decode(guard.keepAlive());
    expect(message.headers[':message-type']?.value).toBe('event');
    expect(message.headers[':event-type']?.value).toBe('sluiceKeepAlive');
  });
});
