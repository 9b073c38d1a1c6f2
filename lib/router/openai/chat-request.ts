import type { JsonObject } from '../../providers/shared/json-body.ts';
import {
  reasoningEfforts,
  type OutputFormat,
  type ReasoningEffort,
  type RouterMessage,
  type RouterRequest,
  type ToolCall,
  type ToolChoice,
  type ToolDefinition,
  type UserPart,
} from '../neutral.ts';
import {
  given,
  imageSource,
  invalid,
  isObject,
  notCarried,
  optionalBoolean,
  optionalInteger,
  optionalNumber,
  requiredString,
  stopSequences,
  refuseUnread,
  textOfParts,
} from './read-helpers.ts';

/**
 * Fields that do not change the answer and have no counterpart elsewhere (OpenAI's own storage,
 * abuse monitoring and caching hints): accepted and not carried.
 */
const IGNORED_FIELDS = new Set([
  'user',
  'metadata',
  'store',
  'service_tier',
  'safety_identifier',
  'prompt_cache_key',
  'prompt_cache_retention',
]);

const READ_FIELDS = new Set([
  'model',
  'models',
  'messages',
  'stream',
  'stream_options',
  'temperature',
  'top_p',
  'max_tokens',
  'max_completion_tokens',
  'stop',
  'seed',
  'frequency_penalty',
  'presence_penalty',
  'tools',
  'tool_choice',
  'parallel_tool_calls',
  'response_format',
  'reasoning_effort',
  'n',
  'logprobs',
  'top_logprobs',
  'modalities',
  'audio',
  'logit_bias',
]);

export interface ChatRequestView {
  request: RouterRequest;
  /** `stream_options.include_usage`: the client wants the usage chunk. */
  includeUsage: boolean;
}

const CHAT_TEXT_PARTS = new Set(['text']);

function chatText(content: unknown, param: string, providerName: string, allowRefusal = false): string {
  return textOfParts(content, param, providerName, { textTypes: CHAT_TEXT_PARTS, allowRefusal });
}

function userParts(content: unknown, param: string, providerName: string): UserPart[] {
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  if (!Array.isArray(content)) throw invalid(param, 'expected a string or an array of content parts.');
  return content.map((part: unknown, i): UserPart => {
    const at = `${param}[${i}]`;
    if (!isObject(part)) throw invalid(at, 'expected a content part object.');
    if (part.type === 'text') return { type: 'text', text: requiredString(part.text, `${at}.text`) };
    if (part.type === 'image_url') {
      const image = part.image_url;
      const url = isObject(image) ? image.url : image;
      return { type: 'image', image: imageSource(requiredString(url, `${at}.image_url.url`), `${at}.image_url.url`) };
    }
    throw notCarried(at, providerName, `a '${String(part.type)}' content part`);
  });
}

function toolCalls(value: unknown, param: string, providerName: string): ToolCall[] {
  if (!given(value)) return [];
  if (!Array.isArray(value)) throw invalid(param, 'expected an array of tool calls.');
  return value.map((call: unknown, i) => {
    const at = `${param}[${i}]`;
    if (!isObject(call)) throw invalid(at, 'expected a tool call object.');
    if (call.type !== undefined && call.type !== 'function') throw notCarried(at, providerName, `a '${String(call.type)}' tool call`);
    const fn = call.function;
    if (!isObject(fn)) throw invalid(`${at}.function`, 'expected an object with name and arguments.');
    return {
      id: requiredString(call.id, `${at}.id`),
      name: requiredString(fn.name, `${at}.function.name`),
      arguments: typeof fn.arguments === 'string' ? fn.arguments : JSON.stringify(fn.arguments ?? {}),
    };
  });
}

function readMessages(value: unknown, system: string[], providerName: string): RouterMessage[] {
  if (!Array.isArray(value)) throw invalid('messages', 'expected an array of messages.');
  const messages: RouterMessage[] = [];
  value.forEach((message: unknown, i) => {
    const at = `messages[${i}]`;
    if (!isObject(message)) throw invalid(at, 'expected a message object.');
    switch (message.role) {
      case 'system':
      case 'developer':
        system.push(chatText(message.content, `${at}.content`, providerName));
        return;
      case 'user':
        messages.push({ role: 'user', content: userParts(message.content, `${at}.content`, providerName) });
        return;
      case 'assistant': {
        if (given(message.audio)) throw notCarried(`${at}.audio`, providerName, 'assistant audio');
        if (given(message.function_call)) throw notCarried(`${at}.function_call`, providerName, "the legacy 'function_call' (use tool_calls)");
        const refusal = typeof message.refusal === 'string' ? message.refusal : '';
        const text = chatText(message.content, `${at}.content`, providerName, true) || refusal;
        messages.push({ role: 'assistant', text, toolCalls: toolCalls(message.tool_calls, `${at}.tool_calls`, providerName) });
        return;
      }
      case 'tool':
        messages.push({
          role: 'tool',
          toolCallId: requiredString(message.tool_call_id, `${at}.tool_call_id`),
          content: chatText(message.content, `${at}.content`, providerName),
        });
        return;
      case 'function':
        throw notCarried(at, providerName, "a legacy 'function' message (use tool messages)");
      default:
        throw invalid(`${at}.role`, `unknown role ${JSON.stringify(message.role)}.`);
    }
  });
  return messages;
}

export function readToolParameters(value: unknown, param: string): Record<string, unknown> {
  if (!given(value)) return { type: 'object', properties: {} };
  if (!isObject(value)) throw invalid(param, 'expected a JSON Schema object.');
  return value;
}

function readTools(value: unknown, providerName: string): ToolDefinition[] {
  if (!given(value)) return [];
  if (!Array.isArray(value)) throw invalid('tools', 'expected an array of tools.');
  return value.map((tool: unknown, i) => {
    const at = `tools[${i}]`;
    if (!isObject(tool)) throw invalid(at, 'expected a tool object.');
    if (tool.type !== 'function') throw notCarried(at, providerName, `a '${String(tool.type)}' tool (only function tools)`);
    const fn = tool.function;
    if (!isObject(fn)) throw invalid(`${at}.function`, 'expected a function definition.');
    return {
      name: requiredString(fn.name, `${at}.function.name`),
      ...(typeof fn.description === 'string' ? { description: fn.description } : {}),
      parameters: readToolParameters(fn.parameters, `${at}.function.parameters`),
      ...(typeof fn.strict === 'boolean' ? { strict: fn.strict } : {}),
    };
  });
}

export function readToolChoice(value: unknown, param: string, providerName: string): ToolChoice | undefined {
  if (!given(value)) return undefined;
  if (value === 'auto' || value === 'none' || value === 'required') return { type: value };
  if (isObject(value) && value.type === 'function') {
    const name = isObject(value.function) ? value.function.name : value.name;
    return { type: 'function', name: requiredString(name, `${param}.function.name`) };
  }
  if (isObject(value)) throw notCarried(param, providerName, `tool_choice of type '${String(value.type)}'`);
  throw invalid(param, "expected 'none', 'auto', 'required' or a function choice.");
}

export function readReasoningEffort(value: unknown, param: string): ReasoningEffort | undefined {
  if (!given(value)) return undefined;
  if (!reasoningEfforts.includes(value as ReasoningEffort)) throw invalid(param, `expected one of ${reasoningEfforts.join(', ')}.`);
  return value as ReasoningEffort;
}

function readResponseFormat(value: unknown): OutputFormat | undefined {
  if (!given(value)) return undefined;
  if (!isObject(value)) throw invalid('response_format', 'expected an object.');
  if (value.type === 'text' || value.type === 'json_object') return { type: value.type };
  if (value.type === 'json_schema') {
    const spec = value.json_schema;
    if (!isObject(spec)) throw invalid('response_format.json_schema', 'expected an object with name and schema.');
    return {
      type: 'json_schema',
      name: requiredString(spec.name, 'response_format.json_schema.name'),
      schema: readToolParameters(spec.schema, 'response_format.json_schema.schema'),
      ...(typeof spec.description === 'string' ? { description: spec.description } : {}),
      ...(typeof spec.strict === 'boolean' ? { strict: spec.strict } : {}),
    };
  }
  throw invalid('response_format.type', "expected 'text', 'json_object' or 'json_schema'.");
}

/** What OpenAI offers beyond one plain text answer: refused, since no translated provider returns it. */
function refuseExtras(json: JsonObject, providerName: string): void {
  const n = json.n;
  if (given(n) && n !== 1) throw notCarried('n', providerName, 'more than one choice (n > 1)');
  if (json.logprobs === true) throw notCarried('logprobs', providerName, 'log probabilities');
  if (given(json.top_logprobs) && json.top_logprobs !== 0) throw notCarried('top_logprobs', providerName, 'log probabilities');
  if (given(json.audio)) throw notCarried('audio', providerName, 'audio output');
  const modalities = json.modalities;
  if (given(modalities) && !(Array.isArray(modalities) && modalities.every((m) => m === 'text'))) {
    throw notCarried('modalities', providerName, 'output modalities other than text');
  }
  if (isObject(json.logit_bias) && Object.keys(json.logit_bias).length > 0) throw notCarried('logit_bias', providerName, 'logit_bias');
  refuseUnread(json, READ_FIELDS, IGNORED_FIELDS, providerName);
}

/** A penalty of 0 is the default everywhere: it is as if not given. */
function penalty(json: JsonObject, field: string): number | undefined {
  const value = optionalNumber(json, field);
  return value === 0 ? undefined : value;
}

/**
 * Reads an OpenAI Chat Completions body for a provider with its own API. Whatever that API cannot
 * carry is refused with a 400 that names the field; nothing is dropped on the way.
 */
export function readChatRequest(json: JsonObject, providerName: string): ChatRequestView {
  refuseExtras(json, providerName);
  const system: string[] = [];
  const messages = readMessages(json.messages, system, providerName);
  const streamOptions = json.stream_options;
  const maxTokens = optionalInteger(json, 'max_completion_tokens') ?? optionalInteger(json, 'max_tokens');
  const request: RouterRequest = {
    system,
    messages,
    tools: readTools(json.tools, providerName),
    toolChoice: readToolChoice(json.tool_choice, 'tool_choice', providerName),
    parallelToolCalls: optionalBoolean(json, 'parallel_tool_calls'),
    temperature: optionalNumber(json, 'temperature'),
    topP: optionalNumber(json, 'top_p'),
    maxTokens,
    stop: stopSequences(json.stop, 'stop'),
    seed: optionalNumber(json, 'seed'),
    frequencyPenalty: penalty(json, 'frequency_penalty'),
    presencePenalty: penalty(json, 'presence_penalty'),
    format: readResponseFormat(json.response_format),
    reasoningEffort: readReasoningEffort(json.reasoning_effort, 'reasoning_effort'),
    stream: optionalBoolean(json, 'stream') === true,
  };
  return { request, includeUsage: isObject(streamOptions) && streamOptions.include_usage === true };
}
