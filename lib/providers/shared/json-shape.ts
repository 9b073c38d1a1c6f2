/**
 * The shape of a JSON body, read from its bytes without parsing it: how deep it nests, how many
 * messages and how many tools it carries. It runs before anything parses or walks the body, so
 * that a body nested a hundred thousand levels deep, or with a million messages, is refused
 * before the recursive code downstream (serializers, validators, policies, estimates) meets it.
 *
 * Written here because no dependency reads JSON structure incrementally; all this needs is the
 * nesting, the keys of a few known objects and where strings end. It never throws: on bytes
 * that are not JSON it reports what it saw, and the JSON parser then refuses the body.
 *
 * Messages are the items of a top-level `messages` (OpenAI chat, Anthropic, Bedrock, Cohere v2),
 * `contents` (Gemini), `input` (OpenAI Responses, embeddings) or `chat_history` (Cohere v1).
 * Tools are the items of a top-level `tools` or `functions`, or of `toolConfig.tools` (Bedrock);
 * a Gemini tool counts its `functionDeclarations` (or `function_declarations`).
 */
export interface JsonShape {
  /** The deepest nesting seen (1 for `{}`), up to one past the depth the scan was asked to stop at. */
  depth: number;
  messages: number;
  tools: number;
}

/** What an open container is, as far as counting goes. */
const Role = { Other: 0, Root: 1, MessageList: 2, ToolList: 3, ToolConfig: 4, ToolItem: 5, DeclarationList: 6 } as const;
type Role = (typeof Role)[keyof typeof Role];

const MESSAGE_KEYS = new Set(['messages', 'contents', 'input', 'chat_history']);
const TOOL_KEYS = new Set(['tools', 'functions']);
const DECLARATION_KEYS = new Set(['functionDeclarations', 'function_declarations']);

/** Objects whose keys decide the role of what they hold. */
const KEYED = new Set<Role>([Role.Root, Role.ToolConfig, Role.ToolItem]);

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

function roleInObject(parent: Role, key: string | null, array: boolean): Role {
  if (key === null) return Role.Other;
  switch (parent) {
    case Role.Root:
      if (array && MESSAGE_KEYS.has(key)) return Role.MessageList;
      if (array && TOOL_KEYS.has(key)) return Role.ToolList;
      return !array && key === 'toolConfig' ? Role.ToolConfig : Role.Other;
    case Role.ToolConfig:
      return array && key === 'tools' ? Role.ToolList : Role.Other;
    case Role.ToolItem:
      return array && DECLARATION_KEYS.has(key) ? Role.DeclarationList : Role.Other;
    default:
      return Role.Other;
  }
}

/** The key between `start` (after its opening quote) and `end` (its closing quote); '' when it is too long to matter. */
function readKey(body: Buffer, start: number, end: number): string {
  if (end - start > 64) return '';
  const raw = body.subarray(start, end);
  if (!raw.includes(BACKSLASH)) return raw.toString('latin1');
  // An escaped key (`"m\u0065ssages"`) is what JSON.parse will read, so it is read the same way.
  try {
    return JSON.parse(`"${raw.toString('utf8')}"`) as string;
  } catch {
    return '';
  }
}

/** The index of the quote that ends the string whose content starts at `from`, or -1. */
function stringEnd(body: Buffer, from: number): number {
  let at = from;
  for (;;) {
    const quote = body.indexOf(QUOTE, at);
    if (quote < 0) return -1;
    let backslashes = 0;
    while (quote - 1 - backslashes >= from && body[quote - 1 - backslashes] === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return quote;
    at = quote + 1;
  }
}

/** Reads the shape of `body`, stopping as soon as it nests deeper than `maxDepth`. */
export function measureJson(body: Buffer, maxDepth: number): JsonShape {
  const shape: JsonShape = { depth: 0, messages: 0, tools: 0 };
  // Per open container: its role, whether it is an array, its item count, and (objects) the key
  // whose value comes next, null while a key is expected.
  const roles: Role[] = [];
  const arrays: boolean[] = [];
  const counts: number[] = [];
  const keys: Array<string | null> = [];
  let awaitingItem = false;
  let inLiteral = false;

  const itemStarts = () => {
    const top = roles.length - 1;
    if (top < 0 || !arrays[top] || !awaitingItem) return;
    awaitingItem = false;
    counts[top]!++;
    if (roles[top] === Role.ToolList) shape.tools++;
  };

  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) {
      inLiteral = false;
      continue;
    }
    const top = roles.length - 1;
    switch (c) {
      case QUOTE: {
        inLiteral = false;
        const end = stringEnd(body, i + 1);
        const isKey = top >= 0 && !arrays[top] && keys[top] === null;
        if (isKey) keys[top] = KEYED.has(roles[top]!) && end > 0 ? readKey(body, i + 1, end) : '';
        else itemStarts();
        if (end < 0) return shape;
        i = end;
        break;
      }
      case 0x7b: // {
      case 0x5b: {
        // [
        inLiteral = false;
        itemStarts();
        const array = c === 0x5b;
        let role: Role;
        if (top < 0) role = array ? Role.Other : Role.Root;
        else if (arrays[top]) role = roles[top] === Role.ToolList && !array ? Role.ToolItem : Role.Other;
        else role = roleInObject(roles[top]!, keys[top] ?? null, array);
        roles.push(role);
        arrays.push(array);
        counts.push(0);
        keys.push(null);
        awaitingItem = array;
        if (roles.length > shape.depth) shape.depth = roles.length;
        if (shape.depth > maxDepth) return shape;
        break;
      }
      case 0x7d: // }
      case 0x5d: {
        // ]
        inLiteral = false;
        if (top < 0) break;
        const role = roles.pop()!;
        arrays.pop();
        const count = counts.pop()!;
        keys.pop();
        if (role === Role.MessageList) shape.messages += count;
        else if (role === Role.DeclarationList && count > 0) shape.tools += count - 1;
        awaitingItem = false;
        break;
      }
      case 0x2c: // ,
        inLiteral = false;
        if (top >= 0 && arrays[top]) awaitingItem = true;
        else if (top >= 0) keys[top] = null;
        break;
      case 0x3a: // :
        inLiteral = false;
        break;
      default:
        if (!inLiteral) {
          inLiteral = true;
          itemStarts();
        }
    }
  }
  return shape;
}
