import { newToolCallId } from '../../neutral.ts';

/**
 * Gemini signs its function calls (`thoughtSignature`) and, from Gemini 3 on, wants each signature
 * back with its call in the next turn. OpenAI clients keep nothing of a tool call but its id, name
 * and arguments, so the signature travels inside the id the client will send back.
 */
const SIGNATURE_MARK = '__thought__';

export function geminiToolCallId(id: string | undefined, signature: string | undefined): string {
  const base = id && id !== '' ? id : newToolCallId();
  return signature ? `${base}${SIGNATURE_MARK}${signature}` : base;
}

export function readGeminiToolCallId(toolCallId: string): { id: string; signature?: string } {
  const at = toolCallId.indexOf(SIGNATURE_MARK);
  if (at < 0) return { id: toolCallId };
  return { id: toolCallId.slice(0, at), signature: toolCallId.slice(at + SIGNATURE_MARK.length) };
}
