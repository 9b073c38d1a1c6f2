import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { conditionMatches } from '../../lib/security/conditions.ts';
import { valuesAt } from '../../lib/security/json-path.ts';
import { conditionSchema, type TrustedDataPolicy, type ToolInvocationPolicy } from '../../lib/security/policy-types.ts';
import { judgeToolCall, mayBlock } from '../../lib/security/tool-invocation.ts';
import { classifyToolResult } from '../../lib/security/trusted-data.ts';

describe('paths', () => {
  it('reach keys, indices and every element', () => {
    const doc = { a: { b: [{ c: 1 }, { c: 2 }, { d: 3 }] }, 'odd.key': 'x' };
    expect(valuesAt(doc, 'a.b[0].c')).toEqual([1]);
    expect(valuesAt(doc, 'a.b[*].c')).toEqual([1, 2]);
    expect(valuesAt(doc, 'a.b[*]')).toHaveLength(3);
    expect(valuesAt(doc, '["odd.key"]')).toEqual(['x']);
    expect(valuesAt(doc, 'a.missing.c')).toEqual([]);
    expect(valuesAt([{ x: 1 }, { x: 2 }], '[*].x')).toEqual([1, 2]);
  });

  it('[*] reaches exactly the elements of any array', () => {
    fc.assert(
      fc.property(fc.array(fc.jsonValue()), (items) => {
        expect(valuesAt({ items }, 'items[*]')).toEqual(items);
      }),
      { seed: 1, numRuns: 200 },
    );
  });

  it('never reads inherited properties (prototype keys)', () => {
    expect(valuesAt({}, '__proto__')).toEqual([]);
    expect(valuesAt({}, 'constructor')).toEqual([]);
  });
});

describe('conditions', () => {
  const cases: Array<[string, string, string, boolean]> = [
    ['equal', 'abc', 'abc', true],
    ['equal', 'abc', 'ab', false],
    ['notEqual', 'abc', 'ab', true],
    ['contains', 'hello world', 'lo w', true],
    ['notContains', 'hello world', 'xyz', true],
    ['notContains', 'hello world', 'world', false],
    ['startsWith', 'hello', 'he', true],
    ['endsWith', 'bob@corp.example', '@corp.example', true],
    ['endsWith', 'bob@corp.example.evil', '@corp.example', false],
    ['regex', 'order-1234', '^order-\\d+$', true],
    ['regex', 'order-12a', '^order-\\d+$', false],
  ];
  it.each(cases)('%s %j %j → %s', (operator, actual, value, expected) => {
    expect(conditionMatches({ key: 'v', operator: operator as never, value }, { v: actual })).toBe(expected);
  });

  it('with [*] matches only when every element does', () => {
    const condition = { key: 'emails[*].from', operator: 'endsWith' as const, value: '@corp.example' };
    expect(conditionMatches(condition, { emails: [{ from: 'a@corp.example' }, { from: 'b@corp.example' }] })).toBe(true);
    expect(conditionMatches(condition, { emails: [{ from: 'a@corp.example' }, { from: 'x@evil.example' }] })).toBe(false);
    expect(conditionMatches(condition, { emails: [] })).toBe(false);
  });

  it('negated operators are the complement of the plain ones on a single value', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (actual, value) => {
        const subject = { v: actual };
        expect(conditionMatches({ key: 'v', operator: 'notEqual', value }, subject)).toBe(
          !conditionMatches({ key: 'v', operator: 'equal', value }, subject),
        );
        expect(conditionMatches({ key: 'v', operator: 'notContains', value }, subject)).toBe(
          !conditionMatches({ key: 'v', operator: 'contains', value }, subject),
        );
      }),
      { seed: 3, numRuns: 300 },
    );
  });

  it('refuses invalid paths and regular expressions when a policy is written', () => {
    expect(conditionSchema.safeParse({ key: 'a[', operator: 'equal', value: 'x' }).success).toBe(false);
    expect(conditionSchema.safeParse({ key: 'a', operator: 'regex', value: '(' }).success).toBe(false);
    expect(conditionSchema.safeParse({ key: 'a.b[*]', operator: 'regex', value: '^x' }).success).toBe(true);
  });
});

describe('trusted-data precedence', () => {
  const policy = (id: string, action: TrustedDataPolicy['action']): TrustedDataPolicy => ({
    id,
    toolName: 'fetch',
    conditions: [],
    action,
    ...(action === 'sanitize_with_dual_llm' ? { dualLlm: { provider: 'openai', model: 'm', questions: [{ question: 'q', options: ['a', 'b'] }] } } : {}),
  });
  const order: TrustedDataPolicy['action'][] = ['block_always', 'sanitize_with_dual_llm', 'mark_as_untrusted', 'mark_as_trusted'];
  const trustOf = { block_always: 'blocked', sanitize_with_dual_llm: 'sanitize', mark_as_untrusted: 'untrusted', mark_as_trusted: 'trusted' } as const;

  it('the most protective matching action wins, whatever the order of the policies', () => {
    fc.assert(
      fc.property(fc.subarray(order, { minLength: 1 }).chain((actions) => fc.shuffledSubarray(actions, { minLength: actions.length })), (actions) => {
        const policies = actions.map((action, i) => policy(`p${i}`, action));
        const strongest = order.find((action) => actions.includes(action))!;
        expect(classifyToolResult('fetch', {}, policies).trust).toBe(trustOf[strongest]);
      }),
      { seed: 5, numRuns: 200 },
    );
  });

  it('a result that no policy matches, or of an unknown tool, is untrusted', () => {
    expect(classifyToolResult('fetch', {}, []).trust).toBe('untrusted');
    expect(classifyToolResult('other', {}, [policy('p', 'mark_as_trusted')]).trust).toBe('untrusted');
    expect(classifyToolResult(undefined, {}, [policy('p', 'mark_as_trusted')]).trust).toBe('untrusted');
  });
});

describe('tool-invocation precedence', () => {
  const p = (id: string, action: ToolInvocationPolicy['action'], conditions: ToolInvocationPolicy['conditions'] = []): ToolInvocationPolicy => ({
    id,
    toolName: 'send',
    conditions,
    action,
  });
  const context = (untrusted: boolean, policies: ToolInvocationPolicy[]) => ({ untrusted, declaredTools: new Set(['send']), policies });

  it('undeclared tools are always blocked', () => {
    expect(judgeToolCall('other', {}, context(false, [])).allowed).toBe(false);
  });

  it('block_always wins over every allow', () => {
    expect(judgeToolCall('send', {}, context(false, [p('a', 'allow_when_context_is_untrusted'), p('b', 'block_always')]))).toMatchObject({
      allowed: false,
      policyId: 'b',
    });
  });

  it('block_when_context_is_untrusted wins over allow only when the context is untrusted', () => {
    const policies = [p('a', 'allow_when_context_is_untrusted'), p('b', 'block_when_context_is_untrusted')];
    expect(judgeToolCall('send', {}, context(true, policies)).allowed).toBe(false);
    expect(judgeToolCall('send', {}, context(false, policies)).allowed).toBe(true);
  });

  it('without a matching policy: blocked when untrusted, allowed when trusted', () => {
    fc.assert(
      fc.property(fc.boolean(), fc.dictionary(fc.string(), fc.string()), (untrusted, args) => {
        expect(judgeToolCall('send', args, context(untrusted, [])).allowed).toBe(!untrusted);
      }),
      { seed: 9, numRuns: 100 },
    );
  });

  it('mayBlock is true whenever some arguments could be blocked', () => {
    fc.assert(
      fc.property(
        fc.boolean(),
        fc.array(fc.constantFrom<ToolInvocationPolicy['action']>('allow_when_context_is_untrusted', 'block_when_context_is_untrusted', 'block_always')),
        fc.boolean(),
        (untrusted, actions, withConditions) => {
          const policies = actions.map((action, i) => p(`p${i}`, action, withConditions ? [{ key: 'to', operator: 'equal', value: 'x' }] : []));
          const ctx = context(untrusted, policies);
          const blockedForSome = [{ to: 'x' }, { to: 'y' }, {}].some((args) => !judgeToolCall('send', args, ctx).allowed);
          if (blockedForSome) expect(mayBlock('send', ctx)).toBe(true);
        },
      ),
      { seed: 11, numRuns: 300 },
    );
  });
});
