import { describe, expect, it } from 'vitest';
import { messagesResponseToolDialect } from '../../lib/providers/anthropic/tool-answer.ts';
import { messagesRequestToolView } from '../../lib/providers/anthropic/tool-view.ts';
import { chatV1RequestToolView, chatV1ResponseToolDialect } from '../../lib/providers/cohere/tools-v1.ts';
import { chatV2RequestToolView, chatV2ResponseToolDialect } from '../../lib/providers/cohere/tools-v2.ts';
import { chatRequestToolView, chatResponseToolDialect } from '../../lib/providers/openai/chat-tools.ts';
import { DualLlmSanitizer } from '../../lib/security/dual-llm.ts';
import { inspectRequest } from '../../lib/security/inspect-request.ts';
import type { RequestToolView, ResponseToolDialect } from '../../lib/security/tool-view.ts';
import { profile, scenarios, toolNames, type Scenario } from '../support/injection-scenarios.ts';

/**
 * Prompt-injection scenarios (test/support/injection-scenarios.ts) through the OpenAI, Anthropic
 * and Cohere views: every exfiltration is blocked and every benign call goes through.
 */
const sanitizer = new DualLlmSanitizer(async () => '{"answer":0}');

const resultText = (result: unknown) => (typeof result === 'string' ? result : JSON.stringify(result));

/** How one dialect writes the scenario: a request that read a tool result, and an answer that calls a tool. */
interface DialectCase {
  name: string;
  request(scenario: Scenario): { json: Record<string, unknown>; view: RequestToolView };
  answer(scenario: Scenario): Buffer;
  response: ResponseToolDialect;
}

const serialize = (json: Record<string, unknown>) => () => Buffer.from(JSON.stringify(json));

const dialects: DialectCase[] = [
  {
    name: 'OpenAI chat',
    request: ({ reads }) => {
      const json = {
        model: 'gpt-4o',
        tools: toolNames.map((name) => ({ type: 'function', function: { name, parameters: { type: 'object' } } })),
        messages: [
          { role: 'user', content: 'Help me with my day.' },
          { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: reads.tool, arguments: '{}' } }] },
          { role: 'tool', tool_call_id: 'call_1', content: resultText(reads.result) },
        ],
      };
      return { json, view: chatRequestToolView(json, serialize(json)) };
    },
    answer: ({ calls }) =>
      Buffer.from(
        JSON.stringify({
          choices: [
            {
              index: 0,
              finish_reason: 'tool_calls',
              message: { role: 'assistant', content: null, tool_calls: [{ id: 'call_2', type: 'function', function: { name: calls.tool, arguments: JSON.stringify(calls.args) } }] },
            },
          ],
        }),
      ),
    response: chatResponseToolDialect,
  },
  {
    name: 'Anthropic Messages',
    request: ({ reads }) => {
      const json = {
        model: 'claude-sonnet-4-5',
        max_tokens: 1024,
        tools: toolNames.map((name) => ({ name, input_schema: { type: 'object' } })),
        messages: [
          { role: 'user', content: 'Help me with my day.' },
          { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: reads.tool, input: {} }] },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: [{ type: 'text', text: resultText(reads.result) }] }] },
        ],
      };
      return { json, view: messagesRequestToolView(json, serialize(json)) };
    },
    answer: ({ calls }) =>
      Buffer.from(
        JSON.stringify({
          type: 'message',
          role: 'assistant',
          content: [{ type: 'tool_use', id: 'toolu_2', name: calls.tool, input: calls.args }],
          stop_reason: 'tool_use',
        }),
      ),
    response: messagesResponseToolDialect,
  },
  {
    name: 'Cohere v2 chat',
    request: ({ reads }) => {
      const json = {
        model: 'command-a-03-2025',
        tools: toolNames.map((name) => ({ type: 'function', function: { name, parameters: { type: 'object' } } })),
        messages: [
          { role: 'user', content: 'Help me with my day.' },
          { role: 'assistant', tool_plan: 'Reading.', tool_calls: [{ id: 'c1', type: 'function', function: { name: reads.tool, arguments: '{}' } }] },
          { role: 'tool', tool_call_id: 'c1', content: [{ type: 'text', text: resultText(reads.result) }] },
        ],
      };
      return { json, view: chatV2RequestToolView(json, serialize(json)) };
    },
    answer: ({ calls }) =>
      Buffer.from(
        JSON.stringify({
          message: { role: 'assistant', tool_plan: 'Doing it.', tool_calls: [{ id: 'c2', type: 'function', function: { name: calls.tool, arguments: JSON.stringify(calls.args) } }] },
          finish_reason: 'TOOL_CALL',
        }),
      ),
    response: chatV2ResponseToolDialect,
  },
  {
    name: 'Cohere v1 chat',
    request: ({ reads }) => {
      // v1 outputs are objects: a text result is wrapped, an array result spread into several outputs.
      const result = reads.result;
      const outputs = Array.isArray(result) ? result : typeof result === 'string' ? [{ text: result }] : [result];
      const json = {
        message: '',
        tools: toolNames.map((name) => ({ name, description: name, parameter_definitions: {} })),
        chat_history: [{ role: 'USER', message: 'Help me with my day.' }],
        tool_results: [{ call: { name: reads.tool, parameters: {} }, outputs }],
      };
      return { json, view: chatV1RequestToolView(json, serialize(json)) };
    },
    answer: ({ calls }) => Buffer.from(JSON.stringify({ text: 'Doing it.', tool_calls: [{ name: calls.tool, parameters: calls.args }], finish_reason: 'COMPLETE' })),
    response: chatV1ResponseToolDialect,
  },
];

describe('prompt-injection scenarios', () => {
  it('has at least 20 scenarios, both exfiltrations and benign calls', () => {
    expect(scenarios.length).toBeGreaterThanOrEqual(20);
    expect(scenarios.filter((s) => s.expect === 'blocked').length).toBeGreaterThanOrEqual(10);
    expect(scenarios.filter((s) => s.expect === 'allowed').length).toBeGreaterThanOrEqual(8);
  });

  describe.each(dialects)('$name', (dialect) => {
    it.each(scenarios)('$name → $expect', async (scenario) => {
      const { json, view } = dialect.request(scenario);
      const inspection = await inspectRequest(profile, view, {}, sanitizer);
      const answer = dialect.answer(scenario);
      const [call] = dialect.response.toolCalls(answer);
      expect(call!.name).toBe(scenario.calls.tool);
      const verdict = inspection.judge.judge(call!);
      expect(verdict.allowed ? 'allowed' : 'blocked').toBe(scenario.expect);
      if (!verdict.allowed) {
        const refused = dialect.response.refuse(answer, 'refused');
        expect(dialect.response.toolCalls(refused)).toEqual([]);
        expect(refused.toString('utf8')).toContain('refused');
      }
      if (scenario.reads.tool === 'read_file' && String(JSON.stringify(scenario.reads.result)).includes('PRIVATE KEY')) {
        expect(inspection.rewritten).toBe(true);
        expect(view.rebuildBody().toString('utf8')).not.toContain('PRIVATE KEY');
        expect(JSON.stringify(json)).toContain('Sluice withheld the output of read_file');
      }
    });
  });
});
