import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { measureJson } from '../../lib/providers/shared/json-shape.ts';

/** The same shape from the parsed value: the reference the byte scanner must agree with. */
function reference(value: unknown): { depth: number; messages: number; tools: number } {
  const depth = (v: unknown): number =>
    v !== null && typeof v === 'object' ? 1 + Math.max(0, ...Object.values(v as object).map(depth)) : 0;
  let messages = 0;
  let tools = 0;
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const body = value as Record<string, unknown>;
    for (const key of ['messages', 'contents', 'input', 'chat_history']) if (Array.isArray(body[key])) messages += (body[key] as unknown[]).length;
    const lists = [body.tools, body.functions, (body.toolConfig as { tools?: unknown } | undefined)?.tools];
    for (const list of lists) {
      if (!Array.isArray(list)) continue;
      for (const item of list) {
        const declarations = (item as { functionDeclarations?: unknown } | null)?.functionDeclarations;
        tools += Array.isArray(declarations) && declarations.length > 0 ? declarations.length : 1;
      }
    }
  }
  return { depth: depth(value), messages, tools };
}

const key = fc.constantFrom('messages', 'contents', 'input', 'chat_history', 'tools', 'functions', 'toolConfig', 'functionDeclarations', 'text', 'a"b');
const leaf = fc.oneof(fc.string({ unit: 'binary', maxLength: 8 }), fc.integer(), fc.boolean(), fc.constant(null), fc.double({ noNaN: true, noDefaultInfinity: true }));
const { value } = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, tie('array'), tie('object')),
  array: fc.array(tie('value'), { maxLength: 4 }),
  object: fc.dictionary(key, tie('value'), { maxKeys: 4 }),
}));
const body = fc.dictionary(key, value, { maxKeys: 5 });

describe('measureJson', () => {
  it('agrees with a walk of the parsed body on depth, messages and tools, however it is spaced', () => {
    fc.assert(
      fc.property(body, fc.constantFrom(undefined, 2, '\t'), (json, space) => {
        const text = JSON.stringify(json, null, space);
        const parsed = JSON.parse(text) as unknown;
        expect(measureJson(Buffer.from(text), 1000)).toEqual(reference(parsed));
      }),
      { seed: 42, numRuns: 2000 },
    );
  });

  it('counts the real shapes of each provider', () => {
    const shape = (value: unknown) => measureJson(Buffer.from(JSON.stringify(value)), 100);
    expect(shape({ model: 'm', messages: [{ role: 'user', content: 'x' }, {}], tools: [{ type: 'function' }] })).toEqual({ depth: 3, messages: 2, tools: 1 });
    expect(shape({ contents: [{}, {}, {}], tools: [{ functionDeclarations: [{ name: 'a' }, { name: 'b' }] }, { googleSearch: {} }] })).toMatchObject({ messages: 3, tools: 3 });
    expect(shape({ messages: [], toolConfig: { tools: [{ toolSpec: {} }, { toolSpec: {} }] } })).toMatchObject({ tools: 2 });
    expect(shape({ input: 'a string', tools: [] })).toMatchObject({ messages: 0, tools: 0 });
    expect(shape({ message: 'hi', chat_history: [{}, {}] })).toMatchObject({ messages: 2 });
    expect(measureJson(Buffer.from('{"m\\u0065ssages":[1,2,3]}'), 10).messages).toBe(3);
  });

  it('stops at the depth limit, and never throws on bytes that are not JSON', () => {
    expect(measureJson(Buffer.from('['.repeat(1_000_000)), 128).depth).toBe(129);
    expect(measureJson(Buffer.from(`{"a":${'{"a":'.repeat(127)}1${'}'.repeat(128)}`), 128).depth).toBe(128);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        const shape = measureJson(Buffer.from(bytes), 64);
        expect(shape.depth).toBeLessThanOrEqual(65);
      }),
      { seed: 7, numRuns: 2000 },
    );
  });

  it('is not fooled by brackets and quotes inside strings', () => {
    const text = JSON.stringify({ messages: ['[[[{"', '\\"]]]', '}}'], tools: [] });
    expect(measureJson(Buffer.from(text), 10)).toEqual({ depth: 2, messages: 3, tools: 0 });
  });
});
