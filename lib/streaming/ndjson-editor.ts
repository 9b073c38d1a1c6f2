const LF = 0x0a;

/** Returns the bytes to send in place of one line (its newline included). */
export type LineDecision = (line: string, raw: Buffer) => Buffer | 'keep' | 'drop';

/**
 * Edits a newline-delimited JSON stream as it passes: every complete line is forwarded as soon as
 * its newline has arrived, unless `decide` drops or replaces it. Only the unfinished last line of
 * a chunk is held, which a client could not parse yet anyway. Blank lines are kept unseen.
 */
export class NdjsonEditor {
  private readonly decide: LineDecision;
  private pending: Buffer | undefined;

  constructor(decide: LineDecision) {
    this.decide = decide;
  }

  push(chunk: Buffer): Buffer | undefined {
    const data = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
    const end = data.lastIndexOf(LF) + 1;
    this.pending = end < data.length ? data.subarray(end) : undefined;
    return end === 0 ? undefined : this.editLines(data.subarray(0, end));
  }

  /** At the end of the body: the last line when it had no newline. */
  end(): Buffer | undefined {
    const rest = this.pending;
    this.pending = undefined;
    return rest ? this.editLines(rest) : undefined;
  }

  private editLines(region: Buffer): Buffer | undefined {
    const out: Buffer[] = [];
    let edited = false;
    let start = 0;
    while (start < region.length) {
      const newline = region.indexOf(LF, start);
      const stop = newline < 0 ? region.length : newline + 1;
      const raw = region.subarray(start, stop);
      start = stop;
      const line = raw.toString('utf8').trim();
      const verdict = line === '' ? 'keep' : this.decide(line, raw);
      if (verdict === 'keep') out.push(raw);
      else {
        edited = true;
        if (verdict !== 'drop') out.push(verdict);
      }
    }
    if (!edited) return region;
    return out.length === 0 ? undefined : Buffer.concat(out);
  }
}
