import type { UpstreamKeys } from '../auth/authenticator.ts';
import type { Config } from '../config/index.ts';
import { SluiceError } from '../errors/sluice-error.ts';
import type { RouterTarget } from './targets/types.ts';

export interface CredentialInput {
  target: RouterTarget;
  config: Config;
  /** The authenticator's answer for this request: each provider's key for the caller's credential. */
  keys: UpstreamKeys;
  /** The plain (non-Sluice) key the client sent to the router, if any. */
  clientKey: string | undefined;
  /** Every provider the request may reach (its model and fallbacks). */
  providers: ReadonlySet<string>;
}

/** The key, and the base URL when the provider key has its own, for one provider the router calls. */
export interface RouterCredential {
  apiKey: string | undefined;
  baseUrl?: string;
}

/**
 * The upstream credential of one provider the router calls:
 *
 * 1. with a Sluice credential (virtual key, OAuth access token, identity token): the provider key
 *    its mappings give this provider, and nothing else; no mapping is a 403 (lib/auth);
 * 2. else the server's own key for the provider (SLUICE_<P>_API_KEY), unless the profile sets
 *    `allowDefaultKey: false`;
 * 3. else the client's plain bearer key, but only for an OpenAI-style provider (whose API takes
 *    exactly that header) and only when every model of the request is on that one provider: a key
 *    sent to the router carries no word of which provider it was made for, so it is never sent to
 *    a provider it was not meant for;
 * 4. else no key, when the provider needs none (local servers, Entra ID, Vertex AI, Bedrock IAM);
 * 5. else a 401 that says how to give the router a credential.
 */
export async function routerCredential({ target, config, keys, clientKey, providers }: CredentialInput): Promise<RouterCredential> {
  const chosen = await keys.keyFor({ id: target.id, defaultKey: target.defaultKey(config) });
  if (chosen?.apiKey) return chosen.baseUrl ? { apiKey: chosen.apiKey, baseUrl: chosen.baseUrl } : { apiKey: chosen.apiKey };
  if (clientKey && target.kind === 'openai-style' && providers.size === 1) return { apiKey: clientKey };
  if (!target.keyRequired(config)) return { apiKey: undefined };
  const variable = `SLUICE_${target.id.toUpperCase().replaceAll('-', '_')}_API_KEY`;
  const why =
    target.kind === 'openai-style'
      ? 'A plain key sent to the model router is passed on to an OpenAI-style provider only when every model of the request is on that provider.'
      : `A plain key sent to the model router is never passed on to ${target.displayName}, whose API takes its own kind of key.`;
  throw new SluiceError(
    'unauthorized',
    `The model router has no credential for ${target.displayName}: send a Sluice virtual key or access token that maps ${target.id} to a provider key, or set ${variable} on the server. ${why}`,
    { code: 'missing_api_key' },
  );
}

/** Whether an error means "this caller cannot reach that provider" (rather than a failure). */
export function isNoAccess(error: unknown): boolean {
  return error instanceof SluiceError && (error.kind === 'forbidden' || error.kind === 'unauthorized');
}
