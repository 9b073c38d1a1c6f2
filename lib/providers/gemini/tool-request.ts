import { parseMaybeJson, type DeclaredTool, type RequestToolView, type ToolResultView } from '../../security/tool-view.ts';
import type { JsonObject } from '../shared/json-body.ts';

type FunctionDeclaration = { name?: unknown; description?: unknown; parameters?: unknown; parametersJsonSchema?: unknown };
type FunctionCallJson = { id?: unknown; name?: unknown };
type FunctionResponseJson = { id?: unknown; name?: unknown; response?: unknown; parts?: unknown };
type Part = { functionCall?: FunctionCallJson | null; functionResponse?: FunctionResponseJson | null };
type Content = { role?: unknown; parts?: unknown };

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function partsOf(content: unknown): Part[] {
  const parts = isObject(content) ? (content as Content).parts : undefined;
  return Array.isArray(parts) ? (parts.filter(isObject) as Part[]) : [];
}

/** The function declarations of a request's `tools` (other tools, such as Google Search, are not function tools). */
function declaredFunctions(json: JsonObject): DeclaredTool[] {
  const declared: DeclaredTool[] = [];
  for (const tool of Array.isArray(json.tools) ? json.tools : []) {
    const declarations = isObject(tool) ? tool.functionDeclarations : undefined;
    for (const fn of Array.isArray(declarations) ? (declarations as FunctionDeclaration[]) : []) {
      if (!isObject(fn) || typeof fn.name !== 'string') continue;
      declared.push({
        name: fn.name,
        description: typeof fn.description === 'string' ? fn.description : undefined,
        parameters: fn.parameters ?? fn.parametersJsonSchema,
      });
    }
  }
  return declared;
}

/**
 * What a `functionResponse.response` says. Google's convention is `{"output": …}` (or `"error"`);
 * a response that is only `output` is judged on its output, a text output read as JSON when it is
 * JSON, so that one policy reads the same result on every route. Any other response is judged whole.
 */
function resultOf(response: unknown): unknown {
  if (isObject(response)) {
    const keys = Object.keys(response);
    if (keys.length === 1 && keys[0] === 'output') {
      const output = response.output;
      return typeof output === 'string' ? parseMaybeJson(output) : output;
    }
    return response;
  }
  return typeof response === 'string' ? parseMaybeJson(response) : response;
}

/**
 * Function declarations and `functionResponse` parts of a generateContent request. A response is
 * tied to the model's earlier `functionCall` by `id` when it carries one that the history holds,
 * else by name (Gemini's own convention: a response names the function it answers, and many
 * Gemini models send calls without ids). A response that matches no earlier call has no known
 * tool, so it is untrusted. The body is rebuilt only when a result was replaced.
 */
export function geminiRequestToolView(json: JsonObject): RequestToolView {
  const callNameById = new Map<string, string>();
  const calledNames = new Set<string>();
  const toolResults: ToolResultView[] = [];
  for (const content of Array.isArray(json.contents) ? json.contents : []) {
    for (const part of partsOf(content)) {
      const call = part.functionCall;
      if (isObject(call) && typeof call.name === 'string') {
        calledNames.add(call.name);
        if (typeof call.id === 'string') callNameById.set(call.id, call.name);
      }
      const response = part.functionResponse;
      if (!isObject(response)) continue;
      const id = typeof response.id === 'string' ? response.id : undefined;
      const name = typeof response.name === 'string' ? response.name : undefined;
      const byId = id !== undefined ? callNameById.get(id) : undefined;
      toolResults.push({
        callId: id ?? `name:${name ?? ''}`,
        toolName: byId ?? (name !== undefined && calledNames.has(name) ? name : undefined),
        content: resultOf(response.response),
        replace: (text) => {
          response.response = { output: text };
          // Multimodal parts of a response (images, files) are part of what is withheld.
          delete response.parts;
        },
      });
    }
  }
  return { declaredTools: declaredFunctions(json), toolResults, rebuildBody: () => Buffer.from(JSON.stringify(json)) };
}

/** Only requests that declare functions or carry function responses go through the tool policies. */
export function geminiCarriesTools(json: JsonObject): boolean {
  if (declaredFunctions(json).length > 0) return true;
  return (Array.isArray(json.contents) ? json.contents : []).some((content) =>
    partsOf(content).some((part) => isObject(part.functionResponse)),
  );
}
