import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { JsonArrayScanner } from '../../lib/streaming/json-array-scanner.ts';

function scanInPieces(text: string, cuts: number[]) {
  const bytes = Buffer.from(text);
  const elements: unknown[] = [];
  const scanner = new JsonArrayScanner((element) => elements.push(JSON.parse(element)));
  let start = 0;
  for (const cut of [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b)) {
    scanner.push(bytes.subarray(start, cut));
    start = cut;
  }
  scanner.push(bytes.subarray(start));
  return { elements, scanner };
}

describe('JsonArrayScanner', () => {
  it('finds every element of an array however its bytes are split', () => {
    const element = fc.dictionary(
      fc.string(),
      fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.array(fc.string(), { maxLength: 3 }), fc.constant(null)),
    );
    fc.assert(
      fc.property(fc.array(element, { maxLength: 5 }), fc.array(fc.nat(), { maxLength: 8 }), fc.boolean(), (values, cuts, pretty) => {
        const text = pretty
          ? `[${values.map((v) => JSON.stringify(v, null, 2)).join('\n,\r\n')}\n]`
          : JSON.stringify(values);
        const { elements, scanner } = scanInPieces(text, cuts);
        expect(elements).toEqual(values);
        expect(scanner.state).toBe('closed');
        expect(scanner.elements).toBe(values.length);
      }),
    );
  });

  it('is not fooled by brackets, quotes and multi-byte characters inside strings', () => {
    const values = [{ text: 'a } ] [ { "quoted" \\ back', emoji: '🙂 café' }, { nested: [{ deep: ['}'] }] }];
    const text = JSON.stringify(values);
    for (let cut = 0; cut <= Buffer.byteLength(text); cut++) {
      expect(scanInPieces(text, [cut]).elements).toEqual(values);
    }
  });

  it('knows where an element boundary is', () => {
    const scanner = new JsonArrayScanner(() => undefined);
    expect(scanner.atBoundary).toBe(true);
    scanner.push(Buffer.from('[{"a":'));
    expect(scanner.state).toBe('inside');
    expect(scanner.atBoundary).toBe(false);
    scanner.push(Buffer.from('1}'));
    expect(scanner.state).toBe('between');
    expect(scanner.atBoundary).toBe(true);
  });

  it('stops reading something that is not an array of objects', () => {
    const seen: string[] = [];
    const scanner = new JsonArrayScanner((element) => seen.push(element));
    scanner.push(Buffer.from('{"error":{}}'));
    expect(scanner.state).toBe('invalid');
    expect(seen).toEqual([]);
  });
});
