import fc from 'fast-check';
import { openAiCompatibleTable } from '../../../lib/providers/openai-compatible/table.ts';
import { clientSecrets } from './secrets.ts';

/*
 * What the fuzzer sends: for each route, a body that is valid for it, then mutated (wrong types,
 * deep nesting, huge strings, invalid UTF-8, duplicate and prototype keys, truncation, noise),
 * with random headers, credentials, query strings, profiles, paths and methods.
 */

export interface FuzzRoute {
  name: string;
  /** The route segments this route may use (`/v1/<segment>/…`). */
  providers: readonly string[];
  method: 'GET' | 'POST';
  path: fc.Arbitrary<string>;
  query?: fc.Arbitrary<string>;
  body?: fc.Arbitrary<Record<string, unknown>>;
  /** The header(s) that carry a client key the way this provider's SDK sends it. */
  credential: (key: string) => Record<string, string>;
}

export interface FuzzCase {
  route: FuzzRoute;
  method: string;
  path: string;
  query: string;
  headers: Record<string, string>;
  body: Buffer | undefined;
  base64: boolean;
}

/**
 * Any code point but a half surrogate, as a string unit. (fast-check's own 'binary' unit would do,
 * but it builds a reverse table of all 1.1 million code points on every generation.)
 */
const codePoint = fc
  .integer({ min: 0, max: 0x10ffff })
  .filter((c) => c < 0xd800 || c > 0xdfff)
  .map((c) => String.fromCodePoint(c));
const binaryString = (maxLength: number) => fc.string({ unit: codePoint, maxLength });
const text = fc.string({ unit: 'grapheme', maxLength: 24 });
const weirdStrings = fc.constantFrom('', ' ', '\u0000', '\ud800', 'a\udfff', '\u202e', '../..', '%00', '\\', '"', '🙂'.repeat(3), 'null');
const anyString = fc.oneof({ arbitrary: text, weight: 3 }, { arbitrary: weirdStrings, weight: 1 }, { arbitrary: binaryString(16), weight: 1 });
const model = fc.oneof(
  { arbitrary: fc.constantFrom('gpt-4o-mini', 'claude-sonnet-4', 'gemini-2.5-flash', 'anthropic.claude-3-haiku', 'command-a'), weight: 4 },
  { arbitrary: anyString, weight: 1 },
);
const bool = fc.boolean();
const schema = fc.constantFrom({ type: 'object' }, { type: 'object', properties: { q: { type: 'string' } } });
const toolName = fc.oneof(fc.constantFrom('get_weather', 'search', 'run'), anyString);

const openAiMessage = fc.oneof(
  fc.record({ role: fc.constantFrom('system', 'user', 'assistant', 'developer'), content: fc.oneof(anyString, fc.array(fc.record({ type: fc.constant('text'), text: anyString }), { maxLength: 2 })) }),
  fc.record({ role: fc.constant('tool'), tool_call_id: anyString, content: anyString }),
  fc.record({ role: fc.constant('assistant'), tool_calls: fc.array(fc.record({ id: anyString, type: fc.constant('function'), function: fc.record({ name: toolName, arguments: anyString }) }), { maxLength: 2 }) }),
);
const openAiTools = fc.array(fc.record({ type: fc.constant('function'), function: fc.record({ name: toolName, parameters: schema }) }), { maxLength: 3 });

const chatBody = fc.record(
  { model, messages: fc.array(openAiMessage, { maxLength: 4 }), stream: bool, stream_options: fc.record({ include_usage: bool }), tools: openAiTools, temperature: fc.double({ noNaN: true, min: 0, max: 2 }) },
  { requiredKeys: ['model', 'messages'] },
);
const responsesBody = fc.record(
  {
    model,
    input: fc.oneof(anyString, fc.array(fc.oneof(fc.record({ role: fc.constantFrom('user', 'assistant', 'system'), content: anyString }), fc.record({ type: fc.constant('function_call_output'), call_id: anyString, output: anyString })), { maxLength: 3 })),
    stream: bool,
    tools: fc.array(fc.record({ type: fc.constant('function'), name: toolName, parameters: schema }), { maxLength: 2 }),
  },
  { requiredKeys: ['model'] },
);
const embeddingsBody = fc.record({ model, input: fc.oneof(anyString, fc.array(anyString, { maxLength: 4 })) });
const anthropicBody = fc.record(
  {
    model,
    max_tokens: fc.nat(4096),
    messages: fc.array(
      fc.record({
        role: fc.constantFrom('user', 'assistant'),
        content: fc.oneof(anyString, fc.array(fc.oneof(fc.record({ type: fc.constant('text'), text: anyString }), fc.record({ type: fc.constant('tool_result'), tool_use_id: anyString, content: anyString })), { maxLength: 2 })),
      }),
      { maxLength: 4 },
    ),
    stream: bool,
    tools: fc.array(fc.record({ name: toolName, input_schema: schema }), { maxLength: 2 }),
  },
  { requiredKeys: ['model', 'messages'] },
);
const geminiBody = fc.record(
  {
    contents: fc.array(fc.record({ role: fc.constantFrom('user', 'model'), parts: fc.array(fc.oneof(fc.record({ text: anyString }), fc.record({ functionResponse: fc.record({ name: toolName, response: fc.record({ r: anyString }) }) })), { maxLength: 2 }) }), { maxLength: 3 }),
    tools: fc.array(fc.record({ functionDeclarations: fc.array(fc.record({ name: toolName }), { maxLength: 2 }) }), { maxLength: 2 }),
    generationConfig: fc.record({ temperature: fc.double({ noNaN: true, min: 0, max: 2 }) }),
  },
  { requiredKeys: ['contents'] },
);
const bedrockMessages = fc.array(fc.record({ role: fc.constantFrom('user', 'assistant'), content: fc.array(fc.oneof(fc.record({ text: anyString }), fc.record({ toolResult: fc.record({ toolUseId: anyString, content: fc.array(fc.record({ text: anyString }), { maxLength: 1 }) }) })), { maxLength: 2 }) }), { maxLength: 3 });
const bedrockTools = fc.record({ tools: fc.array(fc.record({ toolSpec: fc.record({ name: toolName, inputSchema: fc.record({ json: schema }) }) }), { maxLength: 2 }) });
const bedrockBody = fc.record({ messages: bedrockMessages, toolConfig: bedrockTools, inferenceConfig: fc.record({ maxTokens: fc.nat(4096) }) }, { requiredKeys: ['messages'] });
const bedrockBodyWithModel = fc.record({ modelId: model, messages: bedrockMessages, toolConfig: bedrockTools }, { requiredKeys: ['modelId', 'messages'] });
const cohereV2Body = fc.record(
  { model, messages: fc.array(fc.record({ role: fc.constantFrom('user', 'assistant', 'system', 'tool'), content: anyString }), { maxLength: 3 }), stream: bool, tools: openAiTools },
  { requiredKeys: ['model', 'messages'] },
);
const cohereV1Body = fc.record(
  { message: anyString, model, stream: bool, chat_history: fc.array(fc.record({ role: fc.constantFrom('USER', 'CHATBOT'), message: anyString }), { maxLength: 2 }) },
  { requiredKeys: ['message'] },
);

/** A path segment: usually encoded as an SDK would, sometimes raw or broken. */
function segment(value: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc.oneof(
    { arbitrary: value.map((v) => { try { return encodeURIComponent(v); } catch { return 'x'; } }), weight: 4 },
    { arbitrary: value, weight: 1 },
    { arbitrary: fc.constantFrom('%', '%zz', '%ED%A0%80', '%C0%AF', '..', '', '%2F..%2F'), weight: 1 },
  );
}

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
const compatIds = openAiCompatibleTable.map((entry) => entry.id);

export const fuzzRoutes: readonly FuzzRoute[] = [
  { name: 'openai chat', providers: ['openai'], method: 'POST', path: fc.constant('/chat/completions'), body: chatBody, credential: bearer },
  { name: 'openai responses', providers: ['openai'], method: 'POST', path: fc.constant('/responses'), body: responsesBody, credential: bearer },
  { name: 'openai embeddings', providers: ['openai', 'openrouter'], method: 'POST', path: fc.constant('/embeddings'), body: embeddingsBody, credential: bearer },
  { name: 'openai models', providers: ['openai'], method: 'GET', path: fc.constant('/models'), credential: bearer },
  {
    name: 'azure chat',
    providers: ['azure'],
    method: 'POST',
    path: fc.oneof(segment(model).map((d) => `/openai/deployments/${d}/chat/completions`), segment(model).map((d) => `/deployments/${d}/chat/completions`), fc.constantFrom('/openai/v1/chat/completions', '/chat/completions')),
    body: chatBody,
    credential: (key) => ({ 'api-key': key }),
  },
  { name: 'azure responses', providers: ['azure'], method: 'POST', path: fc.constantFrom('/openai/v1/responses', '/responses'), body: responsesBody, credential: bearer },
  { name: 'compatible chat', providers: compatIds, method: 'POST', path: fc.constant('/chat/completions'), body: chatBody, credential: bearer },
  { name: 'anthropic messages', providers: ['anthropic'], method: 'POST', path: fc.constant('/v1/messages'), body: anthropicBody, credential: (key) => ({ 'x-api-key': key }) },
  {
    name: 'gemini generate',
    providers: ['gemini'],
    method: 'POST',
    path: fc
      .tuple(fc.constantFrom('v1beta', 'v1', 'v1alpha'), segment(model), fc.constantFrom('generateContent', 'streamGenerateContent'))
      .map(([version, m, method]) => `/${version}/models/${m}:${method}`),
    query: fc.constantFrom('', 'alt=sse', '$alt=sse', 'alt=json'),
    body: geminiBody,
    credential: (key) => ({ 'x-goog-api-key': key }),
  },
  {
    name: 'bedrock converse',
    providers: ['bedrock'],
    method: 'POST',
    path: fc.tuple(segment(model), fc.constantFrom('converse', 'converse-stream')).map(([m, op]) => `/model/${m}/${op}`),
    body: bedrockBody,
    credential: bearer,
  },
  { name: 'bedrock converse (model in body)', providers: ['bedrock'], method: 'POST', path: fc.constantFrom('/converse', '/converse-stream'), body: bedrockBodyWithModel, credential: bearer },
  { name: 'bedrock models', providers: ['bedrock'], method: 'GET', path: fc.constant('/models'), credential: bearer },
  { name: 'cohere v2 chat', providers: ['cohere'], method: 'POST', path: fc.constant('/v2/chat'), body: cohereV2Body, credential: bearer },
  { name: 'cohere v1 chat', providers: ['cohere'], method: 'POST', path: fc.constantFrom('/v1/chat', '/chat'), body: cohereV1Body, credential: bearer },
];

// ---- body mutations -------------------------------------------------------------------------

const jsonValue = fc.jsonValue({ maxDepth: 3 });
const wrongValue = fc.oneof(jsonValue, fc.constantFrom<unknown>(null, true, 0, -1, 1e308, '', [], {}, 'true', '\ud800', [null], { '0': 1 }));
const protoKey = fc.constantFrom('__proto__', 'constructor', 'prototype');
const protoValue = fc.oneof(
  fc.constant<unknown>({ model: 'polluted', stream: true, polluted: true, toString: 'x' }),
  fc.constant<unknown>(withOwn({}, '__proto__', { polluted: true })),
  wrongValue,
);

function keysOf(body: Record<string, unknown>): fc.Arbitrary<string> {
  return fc.constantFrom(...Object.keys(body), 'model', 'messages', 'stream', 'tools', 'contents', 'input', 'message', 'modelId', 'toolConfig');
}

/** Sets an own property, even one named `__proto__`, as JSON.parse would. */
function withOwn(target: Record<string, unknown>, key: string, value: unknown): Record<string, unknown> {
  const copy = { ...target };
  Object.defineProperty(copy, key, { value, enumerable: true, writable: true, configurable: true });
  return copy;
}

const insertAt = (text: string, at: number, piece: string) => text.slice(0, at) + piece + text.slice(at);

const INVALID_UTF8: readonly number[][] = [[0xff], [0xfe], [0xc3, 0x28], [0xa0, 0xa1], [0xe2, 0x28, 0xa1], [0xf0, 0x28, 0x8c, 0xbc], [0xed, 0xa0, 0x80], [0xc0, 0xaf], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xc2], [0x00]];

function nested(depth: number, kind: 'array' | 'object', leaf: string): string {
  return kind === 'array' ? `${'['.repeat(depth)}${leaf}${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}${leaf}${'}'.repeat(depth)}`;
}

type Mutation = fc.Arbitrary<{ bytes: Buffer; binary?: boolean }>;

function mutations(body: Record<string, unknown>): Mutation {
  const json = JSON.stringify(body);
  const asText = (t: string) => ({ bytes: Buffer.from(t) });
  const first = Array.isArray(body.messages) && body.messages[0] && typeof body.messages[0] === 'object' ? 'messages' : Array.isArray(body.contents) && body.contents[0] ? 'contents' : undefined;
  return fc.oneof(
    // wrong types
    { arbitrary: fc.tuple(keysOf(body), wrongValue).map(([key, value]) => asText(JSON.stringify(withOwn(body, key, value)))), weight: 6 },
    // prototype-pollution keys, at the top or in the first message
    {
      arbitrary: fc.tuple(protoKey, protoValue, bool).map(([key, value, inner]) => {
        if (inner && first) {
          const list = [...(body[first] as unknown[])];
          list[0] = withOwn(list[0] as Record<string, unknown>, key, value);
          return asText(JSON.stringify({ ...body, [first]: list }));
        }
        return asText(JSON.stringify(withOwn(body, key, value)));
      }),
      weight: 4,
    },
    // duplicate keys, first or last
    {
      arbitrary: fc.tuple(keysOf(body), wrongValue, bool).map(([key, value, front]) => {
        const member = `${JSON.stringify(key)}:${JSON.stringify(value) ?? 'null'}`;
        return asText(front ? `{${member},${json.slice(1)}` : `${json.slice(0, -1)}${json.length > 2 ? ',' : ''}${member}}`);
      }),
      weight: 3,
    },
    // deep nesting, as the value of a field
    {
      arbitrary: fc
        .tuple(keysOf(body), fc.oneof(fc.integer({ min: 1, max: 200 }), fc.integer({ min: 200, max: 50_000 })), fc.constantFrom('array' as const, 'object' as const))
        .map(([key, depth, kind]) => asText(`${json.slice(0, -1)},${JSON.stringify(key)}:${nested(depth, kind, '1')}}`)),
      weight: 3,
    },
    // a huge string in a field (some just over the body limit)
    {
      arbitrary: fc
        .tuple(keysOf(body), fc.constantFrom(65_536, 65_536, 65_536, 1_000_000, 5 * 1024 * 1024 + 1, 6_500_000), fc.constantFrom('a', 'é', '🙂', '\\u0000'))
        .map(([key, size, unit]) => asText(`${json.slice(0, -1)},${JSON.stringify(key)}:"${unit.repeat(Math.ceil(size / Buffer.byteLength(unit)))}"}`)),
      weight: 1,
    },
    // many messages or tools
    {
      arbitrary: fc.tuple(fc.constantFrom('messages', 'tools', 'contents', 'input'), fc.integer({ min: 0, max: 20_000 })).map(([key, count]) => asText(`${json.slice(0, -1)},${JSON.stringify(key)}:[${Array(count).fill('{}').join(',')}]}`)),
      weight: 1,
    },
    // cut short
    { arbitrary: fc.nat(json.length).map((at) => asText(json.slice(0, at))), weight: 3 },
    // invalid UTF-8 somewhere (inside a string, or not)
    {
      arbitrary: fc.tuple(fc.nat(json.length), fc.constantFrom(...INVALID_UTF8)).map(([at, bytes]) => {
        const raw = Buffer.from(json);
        const offset = Buffer.byteLength(json.slice(0, at));
        return { bytes: Buffer.concat([raw.subarray(0, offset), Buffer.from(bytes), raw.subarray(offset)]), binary: true };
      }),
      weight: 4,
    },
    // random bytes replaced
    {
      arbitrary: fc.array(fc.tuple(fc.nat(Math.max(0, json.length - 1)), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }).map((edits) => {
        const raw = Buffer.from(json);
        for (const [at, byte] of edits) if (at < raw.length) raw[at] = byte;
        return { bytes: raw, binary: true };
      }),
      weight: 2,
    },
    // framing: BOM, whitespace, trailing garbage, NUL, a second document
    {
      arbitrary: fc.constantFrom('\ufeff{}', '  \n', ' garbage', '\u0000', '{}', ',', ']', '\n\n{"model":"x"}').chain((piece) =>
        fc.constantFrom(asText(piece.startsWith('\ufeff') ? `\ufeff${json}` : `${json}${piece}`), asText(`${piece}${json}`)),
      ),
      weight: 2,
    },
    // not an object
    { arbitrary: fc.constantFrom(`[${json}]`, JSON.stringify(json), '1', 'null', 'true', '""', '[]').map(asText), weight: 1 },
    // a number or string where the body is
    { arbitrary: fc.tuple(fc.nat(json.length), anyString).map(([at, s]) => asText(insertAt(json, at, s))), weight: 2 },
  );
}

/** The body of a case: valid for its route, mutated, or junk. */
export function bodyFor(route: FuzzRoute): fc.Arbitrary<{ bytes: Buffer; binary?: boolean } | undefined> {
  const junk = fc.oneof(
    fc.uint8Array({ maxLength: 64 }).map((bytes) => ({ bytes: Buffer.from(bytes), binary: true })),
    jsonValue.map((value) => ({ bytes: Buffer.from(JSON.stringify(value) ?? '') })),
    fc.constant({ bytes: Buffer.alloc(0) }),
  );
  if (!route.body) return fc.oneof({ arbitrary: fc.constant(undefined), weight: 8 }, { arbitrary: junk, weight: 1 });
  return fc.oneof(
    { arbitrary: route.body.map((body) => ({ bytes: Buffer.from(JSON.stringify(body)) })), weight: 3 },
    { arbitrary: route.body.chain(mutations), weight: 12 },
    { arbitrary: junk, weight: 1 },
  );
}

// ---- headers, credentials, query, path, method --------------------------------------------------

const headerName = fc.oneof(
  fc.constantFrom('x-sluice-meta', 'x-sluice-agent-id', 'x-sluice-user-id', 'x-sluice-context-untrusted', 'traceparent', 'anthropic-version', 'anthropic-beta', 'openai-organization', 'x-amzn-bedrock-trace', 'x-amzn-trace-id', 'content-length', 'transfer-encoding', 'host', 'x-forwarded-for', 'accept-encoding', 'cookie', 'expect', 'connection', 'x-title'),
  fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/),
);
const printable = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 40 });
/** Header values a real HTTP client can send (the HTTP share of the fuzz uses only these). */
const validHeaderValue = fc.oneof(printable, fc.constantFrom('true', '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', 'gzip, br', 'a/b/c', 'x'.repeat(3000)));
/** Anything a Function URL event could carry: control characters, non-Latin-1, very long. */
const anyHeaderValue = fc.oneof(
  { arbitrary: validHeaderValue, weight: 3 },
  { arbitrary: fc.constantFrom('a\r\nb: c', '\u0000', 'é', '€', '\ud800', 'x'.repeat(40_000), '\t', ''), weight: 1 },
  { arbitrary: binaryString(20), weight: 1 },
);

/** How the client sends (or does not send) a key. */
function credentialFor(route: FuzzRoute): fc.Arbitrary<Record<string, string>> {
  const key = fc.constantFrom(...clientSecrets.map((s) => s.value));
  return fc.oneof(
    { arbitrary: fc.constant({}), weight: 3 },
    { arbitrary: key.map((k) => route.credential(k)), weight: 4 },
    { arbitrary: fc.tuple(fc.constantFrom('authorization', 'x-api-key', 'api-key', 'x-goog-api-key'), key).map(([name, k]) => ({ [name]: name === 'authorization' ? `Bearer ${k}` : k })), weight: 2 },
    {
      arbitrary: fc.constantFrom<Record<string, string>>(
        { authorization: 'Bearer' },
        { authorization: 'Bearer    ' },
        { authorization: 'Basic dXNlcjpwYXNz' },
        { authorization: 'AWS4-HMAC-SHA256 Credential=AKIAFUZZ/20250101/us-east-1/bedrock/aws4_request, SignedHeaders=host, Signature=abc' },
        { 'x-api-key': ' ' },
        { authorization: `Bearer ${'k'.repeat(20_000)}` },
      ),
      weight: 1,
    },
  );
}

const contentType = fc.constantFrom<string | undefined>('application/json', 'application/json', 'application/json; charset=utf-8', 'text/plain', 'application/octet-stream', 'multipart/form-data; boundary=x', undefined);
const extraHeaders = {
  valid: fc.dictionary(headerName, validHeaderValue, { maxKeys: 4 }),
  any: fc.dictionary(headerName, anyHeaderValue, { maxKeys: 4 }),
};

function headersFor(route: FuzzRoute, valid: boolean): fc.Arbitrary<Record<string, string>> {
  const extras = valid ? extraHeaders.valid : extraHeaders.any;
  return fc.tuple(contentType, credentialFor(route), extras).map(([type, credential, extra]) => {
    const headers: Record<string, string> = { ...extra, ...credential };
    if (type) headers['content-type'] = type;
    return headers;
  });
}

function queryFor(route: FuzzRoute): fc.Arbitrary<string> {
  const key = fc.constantFrom(...clientSecrets.map((s) => s.value));
  return fc.oneof(
    { arbitrary: route.query ?? fc.constant(''), weight: 6 },
    { arbitrary: key.map((k) => `key=${k}`), weight: 1 },
    { arbitrary: fc.constantFrom('%zz=1&&&==', 'api-version=2024-10-21', 'alt=sse&alt=json', 'a=%ED%A0%80', `x=${'y'.repeat(5000)}`), weight: 1 },
    { arbitrary: printable.map((s) => encodeURI(s)), weight: 1 },
  );
}

const profileSegment = fc.oneof(
  { arbitrary: fc.constant(''), weight: 6 },
  { arbitrary: fc.constant('/default'), weight: 2 },
  { arbitrary: fc.stringMatching(/^[a-z0-9]{1,8}$/).map((id) => `/fuzz-${id}`), weight: 1 },
  { arbitrary: fc.constantFrom('/..', '/a%20b', '/%C3%A9', `/${'p'.repeat(65)}`, '/a.b', '//'), weight: 1 },
);

const pathChars = { valid: printable.map((s) => encodeURI(s)), any: binaryString(30) };

function mutatePath(path: string, valid: boolean): fc.Arbitrary<string> {
  const anyChars = valid ? pathChars.valid : pathChars.any;
  return fc.oneof(
    { arbitrary: fc.constant(path), weight: 12 },
    { arbitrary: fc.constant(`${path}/`), weight: 1 },
    { arbitrary: fc.nat(path.length).map((at) => insertAt(path, at, '/')), weight: 1 },
    { arbitrary: fc.tuple(fc.nat(path.length), anyChars).map(([at, s]) => insertAt(path, at, s)), weight: 1 },
    { arbitrary: fc.nat(path.length).map((at) => path.slice(0, at)), weight: 1 },
    { arbitrary: fc.constant(path.toUpperCase()), weight: 1 },
    { arbitrary: anyChars.map((s) => `/v1/${s}`), weight: 1 },
    { arbitrary: fc.constantFrom(`${path}${'/x'.repeat(4000)}`, '/', '/v1', '/v1/', '/health'), weight: 1 },
  );
}

const otherMethods = fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD');

/** The parts of a request to one route, built once per route (fast-check arbitraries are costly to make). */
function partsFor(route: FuzzRoute, valid: boolean) {
  return fc.record({
    provider: fc.constantFrom(...route.providers),
    profile: profileSegment,
    rest: route.path,
    query: queryFor(route),
    headers: headersFor(route, valid),
    body: bodyFor(route),
    method: fc.oneof({ arbitrary: fc.constant(route.method), weight: 12 }, { arbitrary: otherMethods, weight: 1 }),
    base64: bool,
  });
}

/** One request for the handlers: `valid` keeps to what a real HTTP client can put on the wire. */
export function fuzzCase(valid = false): fc.Arbitrary<FuzzCase> {
  const parts = new Map(fuzzRoutes.map((route) => [route, partsFor(route, valid)]));
  return fc.constantFrom(...fuzzRoutes).chain((route) =>
    parts
      .get(route)!
      .chain((parts) =>
        mutatePath(`/v1/${parts.provider}${parts.profile}${parts.rest}`, valid).map((path) => ({
          route,
          method: parts.method,
          path,
          query: parts.query,
          headers: parts.headers,
          body: parts.body?.bytes,
          base64: parts.base64 || parts.body?.binary === true,
        })),
      ),
  );
}
