import type { TokenCredential } from '@azure/identity';
import { defaultAzureCredential, EntraTokenCache, type CredentialFactory } from '../shared/entra-token.ts';

/**
 * Entra tokens for the Azure route, one cache per scope: resource URLs and Foundry v1 URLs ask for
 * different scopes. The credential is DefaultAzureCredential unless another is injected.
 */
export class EntraTokens {
  private factory: CredentialFactory;
  private readonly now: () => number;
  private readonly caches = new Map<string, EntraTokenCache>();

  constructor(factory: CredentialFactory = defaultAzureCredential, now: () => number = Date.now) {
    this.factory = factory;
    this.now = now;
  }

  /** Uses this credential from now on and forgets the tokens of the previous one. */
  useCredential(credential: TokenCredential): void {
    this.factory = () => credential;
    this.caches.clear();
  }

  token(scope: string): Promise<string> {
    let cache = this.caches.get(scope);
    if (!cache) {
      cache = new EntraTokenCache(scope, this.factory, { now: this.now });
      this.caches.set(scope, cache);
    }
    return cache.token();
  }
}

/** The process's Entra tokens for the Azure route (@azure/identity is loaded only when used). */
export const azureEntraTokens = new EntraTokens();
