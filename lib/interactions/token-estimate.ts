import { createParser } from 'eventsource-parser';

/**
 * Token counts estimated without a tokenizer, for the rare answers that carry no usage (a server
 * that does not report it, a stream cut before its usage event) and for limit reservations.
 *
 * A real BPE tokenizer (tiktoken's vocabularies are megabytes) would blow the function bundle and
 * differs per provider anyway, so this approximates what they do: text is split the way their
 * pre-tokenizers split it, then
 * - a run of letters costs one token per six letters started (common words are one token),
 * - each CJK character (Han, kana, Hangul) costs one token,
 * - up to three digits cost one token,
 * - one or two punctuation marks cost one token,
 * - whitespace is free (it joins the next word's token).
 * It is an estimate, and the record says so (`tokensEstimated`). Unlike the characters/4 rule of
 * thumb it does not undercount numbers (one token per three digits, not per four characters) or
 * CJK text (about one token per character, not a quarter).
 */
const CJK = String.raw`\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}`;
const PIECES = new RegExp(String.raw`[${CJK}]|[[\p{L}\p{M}]--[${CJK}]]+|\p{N}{1,3}|[^\s\p{L}\p{M}\p{N}]{1,2}`, 'gv');
const LETTER = /^[\p{L}\p{M}]/u;
const LETTERS_PER_TOKEN = 6;

export function estimateTokens(text: string): number {
  let tokens = 0;
  for (const [piece] of text.matchAll(PIECES)) {
    tokens += piece.length > 1 && LETTER.test(piece) ? Math.ceil(piece.length / LETTERS_PER_TOKEN) : 1;
  }
  return tokens;
}

const MIN_BINARY_LENGTH = 256;
const BASE64 = /^[A-Za-z0-9+/=_-]+$/;

/** Images, audio and files sent inline: billed by the provider in its own way, not as their text. */
function isInlineBinary(value: string): boolean {
  return value.startsWith('data:') || (value.length >= MIN_BINARY_LENGTH && BASE64.test(value));
}

/**
 * Every key and scalar of a JSON request body: message texts, roles, tool names and schemas. The
 * keys stand in for the few tokens of framing a provider adds per message and per tool.
 */
function requestTokens(value: unknown): number {
  if (typeof value === 'string') return isInlineBinary(value) ? 0 : estimateTokens(value);
  if (typeof value === 'number' || typeof value === 'boolean') return 1;
  if (Array.isArray(value)) return value.reduce<number>((sum, item) => sum + requestTokens(item), 0);
  if (value !== null && typeof value === 'object') {
    let sum = 0;
    for (const [key, item] of Object.entries(value)) sum += estimateTokens(key) + requestTokens(item);
    return sum;
  }
  return 0;
}

/** The input tokens of a parsed JSON request body. */
export function estimateJsonTokens(value: unknown): number {
  return requestTokens(value);
}

/** The input tokens of a request body (JSON; anything else is read as plain text). */
export function estimateRequestTokens(body: Buffer): number {
  const text = body.toString('utf8');
  try {
    return requestTokens(JSON.parse(text));
  } catch {
    return estimateTokens(text);
  }
}

/**
 * Keys whose string values are generated text in the answers of the providers Sluice serves:
 * OpenAI (`content`, `refusal`, `arguments`, Responses `delta`/`text`), Anthropic (`text`,
 * `thinking`, `partial_json`), Gemini and Cohere (`text`), DeepSeek and others (`reasoning_content`).
 */
const TEXT_KEYS = new Set(['content', 'text', 'delta', 'refusal', 'arguments', 'partial_json', 'thinking', 'reasoning', 'reasoning_content']);
/** Keys whose object values are generated tool arguments (Anthropic `input`, Gemini `args`, Bedrock `toolUse.input`). */
const ARGUMENT_KEYS = new Set(['input', 'args', 'arguments']);

function responseTokens(value: unknown): number {
  if (Array.isArray(value)) return value.reduce<number>((sum, item) => sum + responseTokens(item), 0);
  if (value === null || typeof value !== 'object') return 0;
  let sum = 0;
  for (const [key, item] of Object.entries(value)) {
    if (typeof item === 'string') {
      if (TEXT_KEYS.has(key)) sum += estimateTokens(item);
    } else if (ARGUMENT_KEYS.has(key) && item !== null && typeof item === 'object') {
      sum += requestTokens(item);
    } else {
      sum += responseTokens(item);
    }
  }
  return sum;
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

const TEXT_FIELD = new RegExp(`"(${[...TEXT_KEYS].join('|')})"\\s*:\\s*"((?:[^"\\\\]|\\\\.)*)"`, 'g');

/**
 * The text fields of JSON that sits inside other framing (the payloads of a binary AWS event
 * stream, or a stream cut in the middle of an event): each `"text": "…"` string found is read.
 */
function textFieldTokens(text: string): number | undefined {
  let sum = 0;
  let found = false;
  for (const [, , raw] of text.matchAll(TEXT_FIELD)) {
    const value = parseJson(`"${raw}"`);
    if (!value.ok || typeof value.value !== 'string') continue;
    found = true;
    sum += estimateTokens(value.value);
  }
  return found ? sum : undefined;
}

/** The generated text of a whole answer, a server-sent-event stream or newline-delimited JSON. */
function answerTokens(text: string): number | undefined {
  const trimmed = text.trimStart();
  if (/^(data|event|id|retry)?:/.test(trimmed)) {
    let sum = 0;
    let parsed = false;
    const parser = createParser({
      onEvent: (event) => {
        const json = parseJson(event.data);
        if (json.ok) {
          parsed = true;
          sum += responseTokens(json.value);
        }
      },
    });
    parser.feed(text);
    parser.reset({ consume: true });
    return parsed ? sum : textFieldTokens(text);
  }
  const whole = parseJson(text);
  if (whole.ok) return responseTokens(whole.value);
  let sum = 0;
  let parsed = false;
  for (const line of text.split('\n')) {
    const json = parseJson(line.trim().replace(/^,|,$/g, ''));
    if (json.ok) {
      parsed = true;
      sum += responseTokens(json.value);
    }
  }
  return parsed ? sum : textFieldTokens(text);
}

/**
 * The output tokens of an answer from the bytes Sluice kept of it. When only the first part was
 * kept, the count is scaled up to the whole length. Undefined when the bytes are not text Sluice
 * can read (a binary event stream).
 */
export function estimateResponseTokens(kept: readonly Buffer[], totalBytes: number): number | undefined {
  const sample = Buffer.concat(kept);
  if (sample.byteLength === 0) return undefined;
  const tokens = answerTokens(sample.toString('utf8'));
  if (tokens === undefined) return undefined;
  return totalBytes > sample.byteLength ? Math.ceil((tokens * totalBytes) / sample.byteLength) : tokens;
}
