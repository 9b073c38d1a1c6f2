import type { IncomingHttpHeaders } from 'node:http';
import type { ResponseSummary } from '../providers/types.ts';

/**
 * Why a whole upstream answer that says it is JSON is not, or undefined. Such an answer is still
 * relayed as it came (the client's SDK raises its own parse error), but it is no clean success:
 * the record says `upstream_error`. A summary that found usage or a model has parsed the body
 * already, so only the rare answer that yields neither is parsed again here.
 */
export function brokenJsonAnswer(status: number, headers: IncomingHttpHeaders, body: Buffer, summary: ResponseSummary): string | undefined {
  if (!(headers['content-type'] ?? '').includes('json')) return undefined;
  if (summary.usage !== undefined || summary.model !== undefined) return undefined;
  try {
    JSON.parse(body.toString('utf8'));
    return undefined;
  } catch {
    return `The upstream answered ${status} with a body that is not valid JSON (${body.byteLength} bytes, relayed as they came).`;
  }
}
