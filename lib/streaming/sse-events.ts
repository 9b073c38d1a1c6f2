import { createParser, type EventSourceMessage, type EventSourceParser } from 'eventsource-parser';

const LF = 0x0a;
const CR = 0x0d;

/**
 * Reads a server-sent-event stream as it passes through.
 *
 * Pass-through mode (no `decide`): every chunk is forwarded unchanged the moment it arrives,
 * while `onEvent` sees each parsed event.
 *
 * Editing mode (`decide` given): complete events are forwarded as soon as their blank line has
 * arrived, and `decide` may drop or replace an event. Only the unfinished tail of a chunk is
 * held, which a client could not act on anyway since SSE dispatches on the blank line.
 */
export interface SseTapOptions {
  onEvent: (event: EventSourceMessage) => void;
  /**
   * Called after onEvent for each complete event; returns the bytes to send in its place (as one
   * buffer, or as pieces sent one after the other, which spares a copy).
   */
  decide?: (event: EventSourceMessage, raw: Buffer) => Buffer | readonly Buffer[] | 'keep' | 'drop';
}

export class SseTap {
  private readonly parser: EventSourceParser;
  private readonly decoder = new TextDecoder();
  private readonly decide: SseTapOptions['decide'];
  private lastEvent: EventSourceMessage | undefined;
  private pending: Buffer | undefined;
  /** The last event was dropped or replaced and ended in a CR whose LF had not arrived yet. */
  private swallowLeadingLf = false;
  /** Bytes forwarded so far end exactly at an event boundary. */
  atBoundary = true;
  /** Pass-through mode: the last bytes forwarded, to tell whether they end an event. */
  private tail: Buffer = Buffer.alloc(0);
  private forwardedBytes = 0;

  constructor(options: SseTapOptions) {
    this.decide = options.decide;
    this.parser = createParser({
      onEvent: (event) => {
        this.lastEvent = event;
        options.onEvent(event);
      },
    });
  }

  push(chunk: Buffer): Buffer | undefined {
    if (!this.decide) {
      this.parser.feed(this.decoder.decode(chunk, { stream: true }));
      if (chunk.length > 0) {
        this.tail = lastBytes(this.tail, chunk);
        this.forwardedBytes += chunk.length;
        this.atBoundary = endsAtBoundary(this.tail, this.forwardedBytes === this.tail.length);
      }
      return chunk;
    }
    let data = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
    if (this.swallowLeadingLf && data.length > 0) {
      this.swallowLeadingLf = false;
      if (data[0] === LF) data = data.subarray(1);
      if (data.length === 0) return undefined;
    }
    const ends = boundaryEnds(data);
    const end = ends.at(-1);
    if (end === undefined) {
      this.pending = data;
      return undefined;
    }
    this.pending = end < data.length ? data.subarray(end) : undefined;
    return this.editEvents(data.subarray(0, end), ends);
  }

  /** At the end of the upstream body: whatever was held (an unterminated last event). */
  end(): Buffer | undefined {
    const rest = this.pending;
    this.pending = undefined;
    if (!this.decide) {
      this.parser.feed(this.decoder.decode());
      return undefined;
    }
    if (rest) {
      this.parser.feed(this.decoder.decode(rest));
      this.atBoundary = false;
    }
    return rest;
  }

  /** `ends`: where each event of the region ends (the last one is the region's end). */
  private editEvents(region: Buffer, ends: readonly number[]): Buffer | undefined {
    const decide = this.decide!;
    const out: Buffer[] = [];
    let edited = false;
    let start = 0;
    for (const end of ends) {
      const raw = region.subarray(start, end);
      start = end;
      this.lastEvent = undefined;
      this.parser.feed(this.decoder.decode(raw));
      const event = this.lastEvent as EventSourceMessage | undefined;
      const verdict = event ? decide(event, raw) : 'keep';
      if (verdict === 'keep') out.push(raw);
      else {
        edited = true;
        if (Buffer.isBuffer(verdict)) out.push(verdict);
        else if (verdict !== 'drop') out.push(...verdict);
      }
      this.swallowLeadingLf = verdict !== 'keep' && raw[raw.length - 1] === CR;
    }
    this.atBoundary = true;
    if (!edited) return region;
    return out.length === 0 ? undefined : Buffer.concat(out);
  }
}

/**
 * Offsets just past each blank line (event end) in a buffer that starts at an event start. Most
 * streams end lines with LF alone: then a blank line is an LF at the start or right after another,
 * found with native searches; a buffer with a CR anywhere is walked byte by byte.
 */
function boundaryEnds(buffer: Buffer): number[] {
  const ends: number[] = [];
  if (buffer.indexOf(CR) >= 0) return boundaryEndsAnyLineEnd(buffer, ends);
  for (let at = buffer.indexOf(LF); at >= 0; at = buffer.indexOf(LF, at + 1)) {
    if (at === 0 || buffer[at - 1] === LF) ends.push(at + 1);
  }
  return ends;
}

function boundaryEndsAnyLineEnd(buffer: Buffer, ends: number[]): number[] {
  let lineEmpty = true;
  for (let i = 0; i < buffer.length; i++) {
    const byte = buffer[i];
    if (byte !== LF && byte !== CR) {
      lineEmpty = false;
      continue;
    }
    let next = i + 1;
    if (byte === CR && buffer[next] === LF) next++;
    if (lineEmpty) ends.push(next);
    lineEmpty = true;
    i = next - 1;
  }
  return ends;
}

/** Where the line end that finishes at `end` starts (CRLF, LF or CR), or -1 when none does. */
function lineEndBefore(bytes: Buffer, end: number): number {
  const last = bytes[end - 1];
  if (last === LF) return bytes[end - 2] === CR ? end - 2 : end - 1;
  if (last === CR) return end - 1;
  return -1;
}

/**
 * Whether bytes ending with `tail` end with a blank line (two line ends in a row), so that the
 * next bytes start a new event. `wholeStream`: the tail is everything sent so far.
 */
function endsAtBoundary(tail: Buffer, wholeStream: boolean): boolean {
  if (tail.length === 0) return true;
  const lastLineEnd = lineEndBefore(tail, tail.length);
  if (lastLineEnd < 0) return false;
  if (lastLineEnd === 0) return wholeStream;
  return lineEndBefore(tail, lastLineEnd) >= 0;
}

/** Two line ends take at most four bytes. */
const TAIL_BYTES = 4;

function lastBytes(previous: Buffer, chunk: Buffer): Buffer {
  if (chunk.length >= TAIL_BYTES) return Buffer.from(chunk.subarray(chunk.length - TAIL_BYTES));
  const joined = Buffer.concat([previous, chunk]);
  return joined.length > TAIL_BYTES ? joined.subarray(joined.length - TAIL_BYTES) : joined;
}
