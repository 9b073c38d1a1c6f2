/** EMF documents as CloudWatch would read them from stdout. */
export interface EmfLine {
  _aws: { Timestamp: number; CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][]; Metrics: Array<{ Name: string; Unit: string }> }> };
  [key: string]: unknown;
}

/**
 * Records what is written to process.stdout (still passing it through) and, in order, the EMF
 * lines among it, plus any marks the test adds, so a test can check what came before what.
 */
export class StdoutCapture {
  readonly events: Array<{ kind: 'emf'; line: EmfLine } | { kind: 'mark'; name: string }> = [];
  private readonly original = process.stdout.write;

  start(): this {
    const original = this.original;
    const events = this.events;
    process.stdout.write = function (this: NodeJS.WriteStream, chunk: unknown, ...rest: unknown[]) {
      const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8');
      const lines = text.split('\n').filter((line) => line !== '');
      const emf = lines.filter((line) => line.startsWith('{"_aws"'));
      for (const line of emf) events.push({ kind: 'emf', line: JSON.parse(line) as EmfLine });
      // EMF lines are kept out of the test output; anything else passes through.
      if (emf.length > 0 && emf.length === lines.length) return true;
      return (original as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
    } as typeof process.stdout.write;
    return this;
  }

  mark(name: string): void {
    this.events.push({ kind: 'mark', name });
  }

  emf(filter: (line: EmfLine) => boolean = () => true): EmfLine[] {
    return this.events.flatMap((event) => (event.kind === 'emf' && filter(event.line) ? [event.line] : []));
  }

  stop(): void {
    process.stdout.write = this.original;
  }
}
