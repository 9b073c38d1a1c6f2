import { isDeepStrictEqual } from 'node:util';
import type { UpstreamExchange } from './upstream-hub.ts';
import type { CapturedResponse } from './lambda-invoke.ts';

/** SSE events of a body (blank-line separated), without the `,"usage":null` keys Sluice may hide. */
function openAiEvents(body: Buffer): string[] {
  return body
    .toString('utf8')
    .replaceAll(',"usage":null', '')
    .split(/\r?\n\r?\n/)
    .filter((event) => event !== '' && !/"choices":\[\],/.test(event));
}

/**
 * Why a relayed answer is not the upstream's, or undefined: the same status, and the same bytes;
 * on an OpenAI-style chat stream for which Sluice asked for usage itself, the same events but for
 * the usage-only chunk and the `"usage":null` keys the client did not ask for.
 */
export function relayProblem(exchange: UpstreamExchange, response: CapturedResponse): string | undefined {
  if (response.status !== exchange.status) return `status ${response.status}, the upstream said ${exchange.status}`;
  if (response.body.equals(exchange.body)) return undefined;
  if (isDeepStrictEqual(openAiEvents(response.body), openAiEvents(exchange.body))) return undefined;
  return `body differs from the upstream's:\n  sent     ${exchange.body.toString('utf8', 0, 300)}\n  relayed  ${response.body.toString('utf8', 0, 300)}`;
}

/**
 * Whether Sluice must have forwarded the client's body byte for byte: every route does, except
 * that an OpenAI-style chat stream gets `stream_options.include_usage` added (not on Mistral, which
 * refuses it) and Bedrock's `/converse` loses the `modelId` it takes from the body.
 */
export function forwardedAsSent(clientPath: string, upstreamPath: string, provider: string, sent: Buffer): boolean {
  if (provider === 'bedrock' && !clientPath.includes('/model/')) return false;
  if (!upstreamPath.startsWith('/openai/') || !upstreamPath.endsWith('/chat/completions') || provider === 'mistral') return true;
  try {
    const json = JSON.parse(sent.toString('utf8')) as { stream?: unknown; stream_options?: { include_usage?: unknown } };
    return !(json.stream === true && json.stream_options?.include_usage !== true);
  } catch {
    return true;
  }
}
