import { SluiceError } from '../../errors/sluice-error.ts';
import type { JsonObject } from '../../providers/shared/json-body.ts';
import type { OutputFormat, RouterMessage, RouterRequest, ToolDefinition, UserPart } from '../neutral.ts';
import { readReasoningEffort, readToolChoice, readToolParameters } from './chat-request.ts';
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
  refuseUnread,
  textOfParts,
} from './read-helpers.ts';

/** Accepted and not carried: storage, abuse-monitoring and caching hints that do not change the answer. */
const IGNORED_FIELDS = new Set([
  'store',
  'metadata',
  'user',
  'safety_identifier',
  'prompt_cache_key',
  'prompt_cache_retention',
  'service_tier',
  'stream_options',
]);

const READ_FIELDS = new Set([
  'model',
  'models',
  'input',
  'instructions',
  'tools',
  'tool_choice',
  'parallel_tool_calls',
  'max_output_tokens',
  'temperature',
  'top_p',
  'text',
  'reasoning',
  'stream',
  'include',
  'truncation',
  'background',
  'top_logprobs',
]);

/** What the Responses API may ask to include that a translated answer still has. */
const INCLUDABLE = new Set(['reasoning.encrypted_content']);

function refuseExtras(json: JsonObject, providerName: string): void {
  if (given(json.previous_response_id)) {
    throw new SluiceError(
      'bad_request',
      'The model router keeps no responses, so previous_response_id cannot be resolved: send the conversation in `input`.',
      { param: 'previous_response_id', code: 'unsupported_parameter' },
    );
  }
  if (json.background === true) throw notCarried('background', providerName, 'background responses');
  if (given(json.truncation) && json.truncation !== 'disabled') throw notCarried('truncation', providerName, "truncation other than 'disabled'");
  if (given(json.top_logprobs) && json.top_logprobs !== 0) throw notCarried('top_logprobs', providerName, 'log probabilities');
  if (given(json.include)) {
    if (!Array.isArray(json.include)) throw invalid('include', 'expected an array.');
    for (const entry of json.include) {
      if (!INCLUDABLE.has(entry as string)) throw notCarried('include', providerName, `include '${String(entry)}'`);
    }
  }
  refuseUnread(json, READ_FIELDS, IGNORED_FIELDS, providerName);
}

const RESPONSES_TEXT_PARTS = new Set(['input_text', 'output_text', 'text']);

function textParts(content: unknown, param: string, providerName: string): string {
  return textOfParts(content, param, providerName, { textTypes: RESPONSES_TEXT_PARTS, allowRefusal: true });
}

function userParts(content: unknown, param: string, providerName: string): UserPart[] {
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  if (!Array.isArray(content)) throw invalid(param, 'expected a string or an array of content parts.');
  return content.map((part: unknown, i): UserPart => {
    const at = `${param}[${i}]`;
    if (!isObject(part)) throw invalid(at, 'expected a content part object.');
    if (part.type === 'input_text') return { type: 'text', text: requiredString(part.text, `${at}.text`) };
    if (part.type === 'input_image') {
      if (given(part.file_id)) throw notCarried(`${at}.file_id`, providerName, 'an image given by OpenAI file id');
      return { type: 'image', image: imageSource(requiredString(part.image_url, `${at}.image_url`), `${at}.image_url`) };
    }
    throw notCarried(at, providerName, `a '${String(part.type)}' input part`);
  });
}

function lastAssistant(messages: RouterMessage[]): Extract<RouterMessage, { role: 'assistant' }> {
  const last = messages.at(-1);
  if (last?.role === 'assistant') return last;
  const fresh: RouterMessage = { role: 'assistant', text: '', toolCalls: [] };
  messages.push(fresh);
  return fresh;
}

function readInput(input: unknown, system: string[], providerName: string): RouterMessage[] {
  if (typeof input === 'string') return [{ role: 'user', content: [{ type: 'text', text: input }] }];
  if (!Array.isArray(input)) throw invalid('input', 'expected a string or an array of input items.');
  const messages: RouterMessage[] = [];
  input.forEach((item: unknown, i) => {
    const at = `input[${i}]`;
    if (!isObject(item)) throw invalid(at, 'expected an input item object.');
    const type = item.type ?? (item.role !== undefined ? 'message' : undefined);
    switch (type) {
      case 'message':
        switch (item.role) {
          case 'system':
          case 'developer':
            system.push(textParts(item.content, `${at}.content`, providerName));
            return;
          case 'user':
            messages.push({ role: 'user', content: userParts(item.content, `${at}.content`, providerName) });
            return;
          case 'assistant': {
            const text = textParts(item.content, `${at}.content`, providerName);
            const previous = messages.at(-1);
            if (previous?.role === 'assistant' && previous.toolCalls.length === 0) previous.text += text;
            else messages.push({ role: 'assistant', text, toolCalls: [] });
            return;
          }
          default:
            throw invalid(`${at}.role`, `unknown role ${JSON.stringify(item.role)}.`);
        }
      case 'function_call':
        lastAssistant(messages).toolCalls.push({
          id: requiredString(item.call_id, `${at}.call_id`),
          name: requiredString(item.name, `${at}.name`),
          arguments: requiredString(item.arguments, `${at}.arguments`),
        });
        return;
      case 'function_call_output':
        messages.push({
          role: 'tool',
          toolCallId: requiredString(item.call_id, `${at}.call_id`),
          content: textParts(item.output, `${at}.output`, providerName),
        });
        return;
      case 'reasoning':
        // The router's own reasoning summary, handed back by clients that keep whole turns: the
        // providers behind it take no reasoning as input.
        return;
      case 'item_reference':
        throw new SluiceError(
          'bad_request',
          'The model router keeps no responses, so an item_reference cannot be resolved: send items in full (with the AI SDK, set providerOptions.openai.store to false).',
          { param: `${at}`, code: 'unsupported_parameter' },
        );
      default:
        throw notCarried(at, providerName, `a '${String(type)}' input item`);
    }
  });
  return messages;
}

function readTools(value: unknown, providerName: string): ToolDefinition[] {
  if (!given(value)) return [];
  if (!Array.isArray(value)) throw invalid('tools', 'expected an array of tools.');
  return value.map((tool: unknown, i) => {
    const at = `tools[${i}]`;
    if (!isObject(tool)) throw invalid(at, 'expected a tool object.');
    if (tool.type !== 'function') throw notCarried(at, providerName, `a '${String(tool.type)}' tool (only function tools)`);
    return {
      name: requiredString(tool.name, `${at}.name`),
      ...(typeof tool.description === 'string' ? { description: tool.description } : {}),
      parameters: readToolParameters(tool.parameters, `${at}.parameters`),
      ...(typeof tool.strict === 'boolean' ? { strict: tool.strict } : {}),
    };
  });
}

function readTextFormat(value: unknown, providerName: string): OutputFormat | undefined {
  if (!given(value)) return undefined;
  if (!isObject(value)) throw invalid('text', 'expected an object.');
  if (given(value.verbosity) && value.verbosity !== 'medium') throw notCarried('text.verbosity', providerName, 'text verbosity');
  const format = value.format;
  if (!given(format)) return undefined;
  if (!isObject(format)) throw invalid('text.format', 'expected an object.');
  if (format.type === 'text' || format.type === 'json_object') return { type: format.type };
  if (format.type === 'json_schema') {
    return {
      type: 'json_schema',
      name: requiredString(format.name, 'text.format.name'),
      schema: readToolParameters(format.schema, 'text.format.schema'),
      ...(typeof format.description === 'string' ? { description: format.description } : {}),
      ...(typeof format.strict === 'boolean' ? { strict: format.strict } : {}),
    };
  }
  throw invalid('text.format.type', "expected 'text', 'json_object' or 'json_schema'.");
}

/** Reads a Responses API body for a provider with its own API; what it cannot carry is refused. */
export function readResponsesRequest(json: JsonObject, providerName: string): RouterRequest {
  refuseExtras(json, providerName);
  const system: string[] = [];
  if (given(json.instructions)) system.push(requiredString(json.instructions, 'instructions'));
  if (!given(json.input)) throw invalid('input', 'the model router needs the conversation in `input`.', 'missing_required_parameter');
  const messages = readInput(json.input, system, providerName);
  const reasoning = json.reasoning;
  if (given(reasoning) && !isObject(reasoning)) throw invalid('reasoning', 'expected an object.');
  return {
    system,
    messages,
    tools: readTools(json.tools, providerName),
    toolChoice: readToolChoice(json.tool_choice, 'tool_choice', providerName),
    parallelToolCalls: optionalBoolean(json, 'parallel_tool_calls'),
    temperature: optionalNumber(json, 'temperature'),
    topP: optionalNumber(json, 'top_p'),
    maxTokens: optionalInteger(json, 'max_output_tokens'),
    format: readTextFormat(json.text, providerName),
    reasoningEffort: isObject(reasoning) ? readReasoningEffort(reasoning.effort, 'reasoning.effort') : undefined,
    stream: optionalBoolean(json, 'stream') === true,
  };
}
