import type { ToolCallView } from '../../security/tool-view.ts';

export interface FunctionCallJson {
  id?: unknown;
  name?: unknown;
  args?: unknown;
  partialArgs?: unknown;
  willContinue?: unknown;
}

export interface PartJson {
  text?: unknown;
  functionCall?: FunctionCallJson | null;
  [field: string]: unknown;
}

export interface CandidateJson {
  index?: unknown;
  content?: { role?: unknown; parts?: PartJson[] | null; [field: string]: unknown } | null;
  finishReason?: unknown;
  [field: string]: unknown;
}

/** A GenerateContentResponse: a whole answer, or one chunk of a stream. */
export interface GenerateContentJson {
  candidates?: CandidateJson[] | null;
  error?: unknown;
  [field: string]: unknown;
}

export function partsOf(candidate: CandidateJson | null | undefined): PartJson[] {
  const parts = candidate?.content?.parts;
  return Array.isArray(parts) ? parts.filter((part): part is PartJson => part !== null && typeof part === 'object') : [];
}

export function functionCallOf(part: PartJson): FunctionCallJson | undefined {
  const call = part.functionCall;
  return call !== null && typeof call === 'object' ? call : undefined;
}

/** A complete function call as the judge sees it; without an id (Gemini API) its name stands in. */
export function callView(call: FunctionCallJson, args: unknown = call.args): ToolCallView {
  const name = typeof call.name === 'string' ? call.name : '';
  return { id: typeof call.id === 'string' ? call.id : name, name, arguments: args ?? {} };
}

/** The text part that tells the client why its calls were withheld. */
export function refusalPart(refusal: string): PartJson {
  return { text: refusal };
}
