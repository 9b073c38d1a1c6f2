import { describe, expect, it } from 'vitest';
import { chatRequestToolView, chatResponseToolDialect } from '../../lib/providers/openai/chat-tools.ts';
import { DualLlmSanitizer } from '../../lib/security/dual-llm.ts';
import { inspectRequest } from '../../lib/security/inspect-request.ts';
import { profile, scenarios, toolNames } from '../support/injection-scenarios.ts';

const sanitizer = new DualLlmSanitizer(async () => '{"answer":0}');

describe('prompt-injection scenarios', () => {
  it('has at least 20 scenarios, both exfiltrations and benign calls', () => {
    expect(scenarios.length).toBeGreaterThanOrEqual(20);
    expect(scenarios.filter((s) => s.expect === 'blocked').length).toBeGreaterThanOrEqual(10);
    expect(scenarios.filter((s) => s.expect === 'allowed').length).toBeGreaterThanOrEqual(8);
  });

  it.each(scenarios)('$name → $expect', async (scenario) => {
    const json = {
      model: 'gpt-4o',
      tools: toolNames.map((name) => ({ type: 'function', function: { name, parameters: { type: 'object' } } })),
      messages: [
        { role: 'user', content: 'Help me with my day.' },
        { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: scenario.reads.tool, arguments: '{}' } }] },
        { role: 'tool', tool_call_id: 'call_1', content: typeof scenario.reads.result === 'string' ? scenario.reads.result : JSON.stringify(scenario.reads.result) },
      ],
    };
    const view = chatRequestToolView(json, () => Buffer.from(JSON.stringify(json)));
    const inspection = await inspectRequest(profile, view, {}, sanitizer);
    const answer = Buffer.from(
      JSON.stringify({
        choices: [{ index: 0, finish_reason: 'tool_calls', message: { role: 'assistant', content: null, tool_calls: [{ id: 'call_2', type: 'function', function: { name: scenario.calls.tool, arguments: JSON.stringify(scenario.calls.args) } }] } }],
      }),
    );
    const [call] = chatResponseToolDialect.toolCalls(answer);
    const verdict = inspection.judge.judge(call!);
    expect(verdict.allowed ? 'allowed' : 'blocked').toBe(scenario.expect);
    if (scenario.reads.tool === 'read_file' && String(JSON.stringify(scenario.reads.result)).includes('PRIVATE KEY')) {
      expect(JSON.stringify(json.messages[2])).not.toContain('PRIVATE KEY');
    }
  });
});
