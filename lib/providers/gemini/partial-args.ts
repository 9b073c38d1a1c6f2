/**
 * Vertex AI can stream one function call's arguments over several parts
 * (`functionCallingConfig.streamFunctionCallArguments`): the first part names the function, later
 * parts carry `partialArgs` (`{jsonPath, stringValue | numberValue | boolValue | nullValue,
 * willContinue}`) and the call ends at a part without `willContinue`. This rebuilds the arguments
 * so that a held call is judged on what the client would run.
 */
export interface PartialArg {
  jsonPath?: unknown;
  stringValue?: unknown;
  numberValue?: unknown;
  boolValue?: unknown;
  nullValue?: unknown;
  willContinue?: unknown;
}

type Step = string | number;

/** `$.a.b[0]['c d']` → ['a', 'b', 0, 'c d']; undefined for anything else (the root included). */
function stepsOf(path: string): Step[] | undefined {
  if (!path.startsWith('$')) return undefined;
  const steps: Step[] = [];
  const pattern = /\.([A-Za-z_$][\w$-]*)|\[(\d+)\]|\['((?:[^'\\]|\\.)*)'\]|\["((?:[^"\\]|\\.)*)"\]/gy;
  pattern.lastIndex = 1;
  while (pattern.lastIndex < path.length) {
    const match = pattern.exec(path);
    if (!match) return undefined;
    if (match[1] !== undefined) steps.push(match[1]);
    else if (match[2] !== undefined) steps.push(Number(match[2]));
    else steps.push((match[3] ?? match[4]!).replace(/\\(.)/g, '$1'));
  }
  // Keys that would reach an object's prototype are never followed.
  if (steps.some((step) => step === '__proto__' || step === 'constructor' || step === 'prototype')) return undefined;
  return steps.length > 0 ? steps : undefined;
}

function valueOf(arg: PartialArg): { value: unknown } | undefined {
  if (typeof arg.stringValue === 'string') return { value: arg.stringValue };
  if (typeof arg.numberValue === 'number') return { value: arg.numberValue };
  if (typeof arg.boolValue === 'boolean') return { value: arg.boolValue };
  if (arg.nullValue !== undefined) return { value: null };
  return undefined;
}

/** One call's arguments as they arrive. */
export class StreamedArgs {
  readonly args: Record<string, unknown>;
  /** Paths whose last string fragment said more would follow. */
  private readonly continuing = new Set<string>();

  constructor(initial: unknown) {
    this.args = initial !== null && typeof initial === 'object' && !Array.isArray(initial) ? structuredClone(initial) as Record<string, unknown> : {};
  }

  merge(args: unknown): void {
    if (args !== null && typeof args === 'object' && !Array.isArray(args)) Object.assign(this.args, args);
  }

  apply(partials: unknown): void {
    if (!Array.isArray(partials)) return;
    for (const arg of partials as PartialArg[]) {
      if (arg === null || typeof arg !== 'object' || typeof arg.jsonPath !== 'string') continue;
      const steps = stepsOf(arg.jsonPath);
      const given = valueOf(arg);
      if (!steps || !given) continue;
      let container: Record<string | number, unknown> = this.args;
      for (let i = 0; i < steps.length - 1; i++) {
        const step = steps[i]!;
        const next = Object.hasOwn(container, step) ? container[step] : undefined;
        if (next === null || typeof next !== 'object') container[step] = typeof steps[i + 1] === 'number' ? [] : {};
        container = container[step] as Record<string | number, unknown>;
      }
      const last = steps.at(-1)!;
      const existing = Object.hasOwn(container, last) ? container[last] : undefined;
      container[last] =
        typeof given.value === 'string' && typeof existing === 'string' && this.continuing.has(arg.jsonPath)
          ? existing + given.value
          : given.value;
      if (arg.willContinue === true) this.continuing.add(arg.jsonPath);
      else this.continuing.delete(arg.jsonPath);
    }
  }
}
