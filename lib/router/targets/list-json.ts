import { SluiceError } from '../../errors/sluice-error.ts';
import { readBody, type UpstreamClient } from '../../upstream/upstream-client.ts';

const MAX_LIST_BYTES = 8 * 1024 * 1024;

/** GETs a provider's model list as JSON; anything but a 200 with a JSON object fails. */
export async function getJson(
  upstream: UpstreamClient,
  url: string,
  headers: Record<string, string>,
  signal: AbortSignal,
): Promise<Record<string, unknown>> {
  const response = await upstream.send({ url, method: 'GET', headers: { accept: 'application/json', ...headers } }, signal);
  const body = await readBody(response, MAX_LIST_BYTES);
  if (response.status !== 200) {
    throw new SluiceError('upstream_error', `listing models answered HTTP ${response.status}`, { code: 'model_list_failed' });
  }
  const json: unknown = JSON.parse(body.toString('utf8'));
  if (json === null || typeof json !== 'object') throw new SluiceError('upstream_error', 'the model list is not a JSON object', { code: 'model_list_failed' });
  return json as Record<string, unknown>;
}

export const secondsOf = (iso: unknown): number | undefined => {
  if (typeof iso !== 'string') return undefined;
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? Math.floor(ms / 1000) : undefined;
};
