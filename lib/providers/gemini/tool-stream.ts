import type { SluiceError } from '../../errors/sluice-error.ts';
import type { BlockedCall, StreamGuard, ToolCallJudge } from '../../security/tool-view.ts';
import { JsonArraySplitter } from '../../streaming/json-array-splitter.ts';
import { SseTap } from '../../streaming/sse-events.ts';
import { googleErrorObject } from './dialect.ts';
import { callView, functionCallOf, partsOf, refusalPart, type CandidateJson, type FunctionCallJson, type GenerateContentJson, type PartJson } from './function-calls.ts';
import { StreamedArgs } from './partial-args.ts';

type Blocked = (blocked: BlockedCall[]) => void;
type Refusal = (blocked: BlockedCall[]) => string;

interface HeldCall {
  call: FunctionCallJson;
  args: StreamedArgs;
}

/** A chunk worth parsing: it may start a hold, or ends one. */
const MAY_MATTER = /"functionCall"|"error"/;

function parseChunk(text: string): GenerateContentJson | undefined {
  try {
    const json: unknown = JSON.parse(text);
    return json !== null && typeof json === 'object' && !Array.isArray(json) ? (json as GenerateContentJson) : undefined;
  } catch {
    return undefined;
  }
}

function candidatesOf(chunk: GenerateContentJson | undefined): CandidateJson[] {
  return Array.isArray(chunk?.candidates) ? chunk.candidates.filter((c): c is CandidateJson => c !== null && typeof c === 'object') : [];
}

function slotOf(candidate: CandidateJson, position: number): number {
  return typeof candidate.index === 'number' ? candidate.index : position;
}

function isError(chunk: GenerateContentJson | undefined): boolean {
  return chunk?.error !== null && typeof chunk?.error === 'object';
}

/**
 * The judging half of a Gemini stream guard, whatever the framing. Gemini sends a function call
 * whole in one chunk (or, on Vertex with streamed arguments, over several chunks). A chunk holding
 * a call that some policy could block starts a hold; that chunk and every later one are held until
 * a chunk carries a finish reason (or the stream ends), then the calls are judged: the held bytes
 * go out unchanged, or one chunk replaces them with the held text and the refusal.
 */
class GeminiCallHold {
  holding = false;
  private heldChunks: GenerateContentJson[] = [];
  private calls: HeldCall[] = [];
  /** Per candidate, the call whose arguments are still streaming. */
  private open = new Map<number, HeldCall>();

  private readonly judge: ToolCallJudge;
  private readonly onBlocked: Blocked;
  private readonly refusal: Refusal;

  constructor(judge: ToolCallJudge, onBlocked: Blocked, refusal: Refusal) {
    this.judge = judge;
    this.onBlocked = onBlocked;
    this.refusal = refusal;
  }

  /** Reads a chunk; true when it is to be held. */
  consider(chunk: GenerateContentJson | undefined): boolean {
    const candidates = candidatesOf(chunk);
    if (!this.holding) {
      const names = candidates.flatMap((candidate) => partsOf(candidate).map((part) => functionCallOf(part)?.name));
      this.holding = names.some((name) => typeof name === 'string' && this.judge.mayBlock(name));
    }
    candidates.forEach((candidate, position) => {
      const slot = slotOf(candidate, position);
      for (const part of partsOf(candidate)) {
        const call = functionCallOf(part);
        if (!call) continue;
        if (typeof call.name === 'string') {
          const started: HeldCall = { call, args: new StreamedArgs(call.args) };
          started.args.apply(call.partialArgs);
          if (this.holding) this.calls.push(started);
          if (call.willContinue === true) this.open.set(slot, started);
          else this.open.delete(slot);
        } else {
          const continued = this.open.get(slot);
          continued?.args.merge(call.args);
          continued?.args.apply(call.partialArgs);
          if (call.willContinue !== true) this.open.delete(slot);
        }
      }
    });
    if (this.holding && chunk) this.heldChunks.push(chunk);
    return this.holding;
  }

  ends(chunk: GenerateContentJson | undefined): boolean {
    return candidatesOf(chunk).some((candidate) => typeof candidate.finishReason === 'string');
  }

  /** Judges the held calls: undefined to release the held bytes, else the chunk that replaces them. */
  settle(): GenerateContentJson | undefined {
    const calls = this.calls.splice(0);
    const chunks = this.heldChunks.splice(0);
    this.holding = false;
    const blocked = calls
      .map(({ call, args }) => callView(call, args.args))
      .map((view) => ({ call: view, verdict: this.judge.judge(view) }))
      .filter((entry) => !entry.verdict.allowed);
    if (blocked.length === 0) return undefined;
    this.onBlocked(blocked);
    return refusalChunk(chunks, this.refusal(blocked));
  }
}

/**
 * One chunk in place of the held ones: the last held chunk (it carries usage and model version)
 * whose candidates hold every non-call part of the held chunks, then the refusal, and finish `STOP`.
 */
function refusalChunk(chunks: GenerateContentJson[], refusal: string): GenerateContentJson {
  const base: GenerateContentJson = structuredClone(chunks.at(-1) ?? {});
  const kept = new Map<number, PartJson[]>();
  const hadCalls = new Set<number>();
  for (const chunk of chunks) {
    candidatesOf(chunk).forEach((candidate, position) => {
      const slot = slotOf(candidate, position);
      const parts = partsOf(candidate);
      if (parts.some((part) => functionCallOf(part))) hadCalls.add(slot);
      kept.set(slot, [...(kept.get(slot) ?? []), ...parts.filter((part) => !functionCallOf(part))]);
    });
  }
  const candidates = candidatesOf(base);
  if (candidates.length === 0) candidates.push({ content: { role: 'model' }, index: 0 });
  const slots = candidates.map(slotOf);
  const refused = slots.some((slot) => hadCalls.has(slot)) ? hadCalls : new Set([slots[0]!]);
  candidates.forEach((candidate, position) => {
    const slot = slots[position]!;
    const parts = [...(kept.get(slot) ?? [])];
    if (refused.has(slot)) parts.push(refusalPart(refusal));
    candidate.content = { ...candidate.content, role: candidate.content?.role ?? 'model', parts };
    candidate.finishReason = 'STOP';
  });
  base.candidates = candidates;
  return base;
}

const LF = Buffer.from('\n');

/** `:streamGenerateContent?alt=sse`: each data event is one chunk; keep-alives are SSE comments. */
export function guardGeminiSse(judge: ToolCallJudge, onBlocked: Blocked, refusal: Refusal): StreamGuard {
  const hold = new GeminiCallHold(judge, onBlocked, refusal);
  const held: Buffer[] = [];
  /**
   * The tap swallows the LF of a CRLF split across chunks after an event it did not keep. When
   * that event was held, or released unchanged, the LF is the client's and is put back.
   */
  let crEnded: 'held' | 'released' | undefined;
  const render = (chunk: GenerateContentJson) => Buffer.from(`data: ${JSON.stringify(chunk)}\r\n\r\n`);
  const settle = (): { bytes: Buffer; released: boolean } => {
    const replacement = hold.settle();
    const heldBytes = held.splice(0);
    return replacement ? { bytes: render(replacement), released: false } : { bytes: Buffer.concat(heldBytes), released: true };
  };
  /** Whether the event just decided goes out as it came (held, or released with what was held). */
  let rawGoesOut = false;
  const decide = (data: string, raw: Buffer): Buffer | 'keep' | 'drop' => {
    if (!hold.holding && !MAY_MATTER.test(data)) return 'keep';
    const chunk = parseChunk(data);
    rawGoesOut = true;
    if (hold.holding && isError(chunk)) return Buffer.concat([settle().bytes, raw]);
    if (!hold.consider(chunk)) return 'keep';
    held.push(raw);
    if (!hold.ends(chunk)) return 'drop';
    const settled = settle();
    rawGoesOut = settled.released;
    return settled.bytes;
  };
  const tap = new SseTap({
    onEvent: () => undefined,
    decide: (event, raw) => {
      rawGoesOut = false;
      const verdict = decide(event.data, raw);
      crEnded = verdict === 'keep' || !rawGoesOut || raw.at(-1) !== 0x0d ? undefined : verdict === 'drop' ? 'held' : 'released';
      return verdict;
    },
  });
  return {
    push: (chunk) => {
      let lead: Buffer | undefined;
      if (crEnded && chunk.length > 0) {
        if (chunk[0] === 0x0a && crEnded === 'held') held.push(LF);
        else if (chunk[0] === 0x0a) lead = LF;
        crEnded = undefined;
      }
      const out = tap.push(chunk);
      return lead ? Buffer.concat(out ? [lead, out] : [lead]) : out;
    },
    end: () => {
      const tail = tap.end();
      if (!hold.holding) return tail;
      if (tail) held.push(tail);
      const settled = settle().bytes;
      return settled.byteLength > 0 ? settled : undefined;
    },
    holding: () => hold.holding,
    keepAlive: () => Buffer.from(': keep-alive\r\n\r\n'),
  };
}

export interface JsonArrayGuard extends StreamGuard {
  /** The bytes that end the array after a break, given what the client has received. */
  errorTail(error: SluiceError): Buffer;
}

type LastToken = 'none' | 'open' | 'comma' | 'element' | 'close';

/**
 * `:streamGenerateContent` without `alt=sse`: a JSON array. Bytes between elements pass at once,
 * each element once it is whole. Keep-alives are a newline: whitespace is valid between any two
 * tokens of JSON, and while an element is held the client has received only whole tokens.
 */
export function guardGeminiJsonArray(judge: ToolCallJudge, onBlocked: Blocked, refusal: Refusal): JsonArrayGuard {
  const hold = new GeminiCallHold(judge, onBlocked, refusal);
  const splitter = new JsonArraySplitter();
  const held: Array<{ bytes: Buffer; element: boolean }> = [];
  let last: LastToken = 'none';

  const sent = (bytes: Buffer, element: boolean): Buffer => {
    if (element) last = 'element';
    else {
      for (let i = bytes.length - 1; i >= 0; i--) {
        const c = bytes[i];
        if (c === 0x5b) last = 'open';
        else if (c === 0x2c) last = 'comma';
        else if (c === 0x5d) last = 'close';
        else continue;
        break;
      }
    }
    return bytes;
  };
  const settle = (): Buffer[] => {
    const replacement = hold.settle();
    const heldPieces = held.splice(0);
    if (replacement) return [sent(Buffer.from(JSON.stringify(replacement)), true)];
    return heldPieces.map((piece) => sent(piece.bytes, piece.element));
  };
  const take = (bytes: Buffer, element: boolean, out: Buffer[]) => {
    if (!element) {
      if (hold.holding) held.push({ bytes, element });
      else out.push(sent(bytes, false));
      return;
    }
    const text = bytes.toString('utf8');
    if (!hold.holding && !MAY_MATTER.test(text)) {
      out.push(sent(bytes, true));
      return;
    }
    const chunk = parseChunk(text);
    if (hold.holding && isError(chunk)) {
      out.push(...settle(), sent(Buffer.from(last === 'element' ? ',\n' : ''), false), sent(bytes, true));
      return;
    }
    if (!hold.consider(chunk)) {
      out.push(sent(bytes, true));
      return;
    }
    held.push({ bytes, element: true });
    if (hold.ends(chunk)) out.push(...settle());
  };

  return {
    push(chunk) {
      const out: Buffer[] = [];
      for (const piece of splitter.push(chunk)) take(piece.bytes, piece.kind === 'element', out);
      return out.length === 0 ? undefined : out.length === 1 ? out[0] : Buffer.concat(out);
    },
    end() {
      // An element cut off by the end of the stream stays in the splitter: it cannot be made whole,
      // and without it the error element that follows still closes a valid array.
      if (!hold.holding) return undefined;
      const out = settle();
      return out.length === 0 ? undefined : Buffer.concat(out);
    },
    holding: () => hold.holding,
    keepAlive: () => Buffer.from('\n'),
    errorTail(error) {
      const element = JSON.stringify(googleErrorObject(error));
      switch (last) {
        case 'none':
          return Buffer.from(`[${element}]`);
        case 'open':
        case 'comma':
          return Buffer.from(`${element}\n]`);
        case 'element':
          return Buffer.from(`,\n${element}\n]`);
        case 'close':
          return Buffer.alloc(0);
      }
    },
  };
}
