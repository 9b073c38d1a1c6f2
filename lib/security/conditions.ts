import { valuesAt } from './json-path.ts';
import type { Condition } from './policy-types.ts';

function asText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === null || value === undefined) return String(value);
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

const regexCache = new Map<string, RegExp | null>();

function compiled(source: string): RegExp | null {
  if (!regexCache.has(source)) {
    let regex: RegExp | null;
    try {
      regex = new RegExp(source, 'u');
    } catch {
      regex = null;
    }
    if (regexCache.size > 1000) regexCache.clear();
    regexCache.set(source, regex);
  }
  return regexCache.get(source)!;
}

function holds(operator: Condition['operator'], actual: string, expected: string): boolean {
  switch (operator) {
    case 'equal':
      return actual === expected;
    case 'notEqual':
      return actual !== expected;
    case 'contains':
      return actual.includes(expected);
    case 'notContains':
      return !actual.includes(expected);
    case 'startsWith':
      return actual.startsWith(expected);
    case 'endsWith':
      return actual.endsWith(expected);
    case 'regex':
      return compiled(expected)?.test(actual) ?? false;
  }
}

/**
 * A condition matches when its path reaches at least one value and every value reached satisfies
 * the operator (so `items[*].from endsWith @corp.example` means every item is from the company).
 * Values are compared as text; objects as their JSON.
 */
export function conditionMatches(condition: Condition, subject: unknown): boolean {
  const values = condition.key === '$' ? [subject] : valuesAt(subject, condition.key);
  if (values.length === 0) return false;
  return values.every((value) => holds(condition.operator, asText(value), condition.value));
}

/** All conditions must match; a policy without conditions always matches. */
export function allConditionsMatch(conditions: readonly Condition[], subject: unknown): boolean {
  return conditions.every((condition) => conditionMatches(condition, subject));
}
