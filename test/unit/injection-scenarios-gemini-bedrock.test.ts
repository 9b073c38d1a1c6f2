import { describe, expect, it } from 'vitest';
import { converseToolAnswer } from '../../lib/providers/bedrock/tool-answer.ts';
import { bedrockRequestToolView } from '../../lib/providers/bedrock/tool-request.ts';
import { geminiToolAnswer } from '../../lib/providers/gemini/tool-answer.ts';
import { geminiRequestToolView } from '../../lib/providers/gemini/tool-request.ts';
import { DualLlmSanitizer } from '../../lib/security/dual-llm.ts';
import { inspectRequest } from '../../lib/security/inspect-request.ts';
import { refusalText, type RequestToolView, type ResponseToolDialect, type StreamGuard } from '../../lib/security/tool-view.ts';
import { converseStreamFrames } from '../fakes/bedrock-upstream.ts';
import { profile, scenarios, toolNames, type Scenario } from '../support/injection-scenarios.ts';

/**
 * The prompt-injection scenario table (test/support/injection-scenarios.ts) through the Gemini and
 * Bedrock views: the history is built in each dialect, the answer's call is judged whole and in a
 * stream, and a block_always result must be gone from the body sent upstream.
 */
const sanitizer = new DualLlmSanitizer(async () => '{"answer":0}');

interface Dialect {
  name: string;
  request(scenario: Scenario): { json: Record<string, unknown>; view: RequestToolView };
  answer: ResponseToolDialect;
  whole(scenario: Scenario): Buffer;
  stream(scenario: Scenario): Buffer;
}

const geminiCall = (scenario: Scenario) => ({ name: scenario.calls.tool, args: scenario.calls.args });
const geminiChunk = (parts: unknown[], finish: boolean) => ({ candidates: [{ content: { role: 'model', parts }, ...(finish ? { finishReason: 'STOP' } : {}), index: 0 }] });

function geminiDialect(name: string, withIds: boolean): Dialect {
  const id = withIds ? { id: 'call_1' } : {};
  return {
    name,
    request(scenario) {
      const json = {
        tools: [{ functionDeclarations: toolNames.map((tool) => ({ name: tool, parameters: { type: 'OBJECT' } })) }],
        contents: [
          { role: 'user', parts: [{ text: 'Help me with my day.' }] },
          { role: 'model', parts: [{ functionCall: { ...id, name: scenario.reads.tool, args: {} } }] },
          { role: 'user', parts: [{ functionResponse: { ...id, name: scenario.reads.tool, response: { output: scenario.reads.result } } }] },
        ],
      };
      return { json, view: geminiRequestToolView(json) };
    },
    answer: geminiToolAnswer({ stream: 'sse' }),
    whole: (scenario) => Buffer.from(JSON.stringify(geminiChunk([{ functionCall: geminiCall(scenario) }], true))),
    stream: (scenario) =>
      Buffer.from(
        [geminiChunk([{ text: 'On it.' }], false), geminiChunk([{ functionCall: geminiCall(scenario) }], true)]
          .map((chunk) => `data: ${JSON.stringify(chunk)}\r\n\r\n`)
          .join(''),
      ),
  };
}

const bedrock: Dialect = {
  name: 'Bedrock Converse',
  request(scenario) {
    const result = scenario.reads.result;
    const json = {
      toolConfig: { tools: toolNames.map((tool) => ({ toolSpec: { name: tool, inputSchema: { json: { type: 'object' } } } })) },
      messages: [
        { role: 'user', content: [{ text: 'Help me with my day.' }] },
        { role: 'assistant', content: [{ toolUse: { toolUseId: 'tu_1', name: scenario.reads.tool, input: {} } }] },
        { role: 'user', content: [{ toolResult: { toolUseId: 'tu_1', content: [typeof result === 'string' ? { text: result } : { json: result }] } }] },
      ],
    };
    return { json, view: bedrockRequestToolView(json) };
  },
  answer: converseToolAnswer,
  whole: (scenario) =>
    Buffer.from(
      JSON.stringify({
        output: { message: { role: 'assistant', content: [{ toolUse: { toolUseId: 'tu_2', name: scenario.calls.tool, input: scenario.calls.args } }] } },
        stopReason: 'tool_use',
      }),
    ),
  stream: (scenario) =>
    Buffer.concat(converseStreamFrames({ textBeforeToolUse: 'On it.', toolUses: [{ toolUseId: 'tu_2', name: scenario.calls.tool, input: scenario.calls.args }] })),
};

function run(guard: StreamGuard, bytes: Buffer): string {
  return Buffer.concat([guard.push(bytes) ?? Buffer.alloc(0), guard.end() ?? Buffer.alloc(0)]).toString('latin1');
}

describe.each([geminiDialect('Gemini, results tied by id', true), geminiDialect('Gemini, results tied by name', false), bedrock])(
  'prompt-injection scenarios through $name',
  (dialect) => {
    it.each(scenarios)('$name → $expect', async (scenario) => {
      const { json, view } = dialect.request(scenario);
      const inspection = await inspectRequest(profile, view, {}, sanitizer);

      const [call] = dialect.answer.toolCalls(dialect.whole(scenario));
      expect(call).toMatchObject({ name: scenario.calls.tool, arguments: scenario.calls.args });
      const verdict = inspection.judge.judge(call!);
      expect(verdict.allowed ? 'allowed' : 'blocked').toBe(scenario.expect);

      const streamed = run(dialect.answer.guardStream(inspection.judge, () => undefined, refusalText), dialect.stream(scenario));
      expect(streamed.includes('Sluice blocked') ? 'blocked' : 'allowed').toBe(scenario.expect);

      if (JSON.stringify(scenario.reads.result).includes('PRIVATE KEY')) {
        expect(inspection.rewritten).toBe(true);
        expect(JSON.stringify(json)).not.toContain('PRIVATE KEY');
        expect(view.rebuildBody().toString('utf8')).not.toContain('PRIVATE KEY');
      }
    });
  },
);
