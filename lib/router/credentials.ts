import type { Config } from '../config/index.ts';
import { SluiceError } from '../errors/sluice-error.ts';
import type { RouterTarget } from './targets/types.ts';

export interface CredentialInput {
  target: RouterTarget;
  config: Config;
  /** The bearer token the client sent to the router, if any. */
  clientKey: string | undefined;
  /** Every provider the request may reach (its model and fallbacks). */
  providers: ReadonlySet<string>;
}

/**
 * The upstream credential of one provider the router calls. A key sent to the router carries no
 * word of which provider it was made for, and a request may name several providers; so:
 *
 * 1. the server's own key for the provider (SLUICE_<P>_API_KEY) when set;
 * 2. else the client's bearer key, but only for an OpenAI-style provider (whose API takes exactly
 *    that header) and only when every model of the request is on that one provider, so that a
 *    key is never sent to a provider it was not meant for;
 * 3. else no key, when the provider needs none (local servers, Entra ID or Vertex credentials);
 * 4. else a 401 that says how to give the router a credential.
 *
 * The single place to plug in virtual keys and OAuth client tokens, whose provider mappings name
 * the key for each provider.
 */
export function routerCredential({ target, config, clientKey, providers }: CredentialInput): string | undefined {
  const serverKey = target.defaultKey(config);
  if (serverKey) return serverKey;
  if (clientKey && target.kind === 'openai-style' && providers.size === 1) return clientKey;
  if (!target.keyRequired(config)) return undefined;
  const prefix = `SLUICE_${target.id.toUpperCase().replaceAll('-', '_')}_API_KEY`;
  const why =
    target.kind === 'openai-style'
      ? 'A key sent to the model router is passed on to an OpenAI-style provider only when every model of the request is on that provider.'
      : `A key sent to the model router is never passed on to ${target.displayName}, whose API takes its own kind of key.`;
  throw new SluiceError('unauthorized', `The model router has no credential for ${target.displayName}: set ${prefix} on the server. ${why}`, {
    code: 'missing_api_key',
  });
}
