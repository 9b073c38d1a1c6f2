import type { AccessToken, TokenCredential } from '@azure/identity';
import { SluiceError } from '../../errors/sluice-error.ts';

/** Refresh a token this long before it expires, so no request leaves with a token about to lapse. */
const REFRESH_MARGIN_MS = 5 * 60_000;

interface CachedToken {
  token: string;
  refreshAt: number;
}

/**
 * Microsoft Entra access tokens per scope, cached until near expiry, from a TokenCredential:
 * `DefaultAzureCredential` unless another is injected (tests, or a deployment that builds its own).
 * Concurrent requests for the same scope share one token request.
 */
export class EntraTokens {
  private credential: TokenCredential | Promise<TokenCredential> | undefined;
  private readonly createDefault: () => Promise<TokenCredential>;
  private readonly now: () => number;
  private readonly cached = new Map<string, CachedToken>();
  private readonly inFlight = new Map<string, Promise<string>>();

  constructor(createDefault: () => Promise<TokenCredential>, now: () => number = Date.now) {
    this.createDefault = createDefault;
    this.now = now;
  }

  /** Uses this credential from now on and forgets the tokens of the previous one. */
  useCredential(credential: TokenCredential): void {
    this.credential = credential;
    this.cached.clear();
    this.inFlight.clear();
  }

  async token(scope: string): Promise<string> {
    const hit = this.cached.get(scope);
    if (hit && this.now() < hit.refreshAt) return hit.token;
    let pending = this.inFlight.get(scope);
    if (!pending) {
      pending = this.fetch(scope).finally(() => this.inFlight.delete(scope));
      this.inFlight.set(scope, pending);
    }
    return pending;
  }

  private async fetch(scope: string): Promise<string> {
    let access: AccessToken | null;
    try {
      this.credential ??= this.createDefault().catch((error: unknown) => {
        this.credential = undefined;
        throw error;
      });
      const credential = await this.credential;
      access = await credential.getToken(scope);
    } catch (error) {
      throw new SluiceError(
        'upstream_error',
        `Could not get a Microsoft Entra token for ${scope}: ${(error instanceof Error ? error.message : String(error)).slice(0, 400)}`,
        { code: 'entra_token_unavailable', cause: error },
      );
    }
    if (!access) {
      throw new SluiceError('upstream_error', `The Azure credential returned no token for ${scope}.`, {
        code: 'entra_token_unavailable',
      });
    }
    const refreshAt = Math.min(access.refreshAfterTimestamp ?? Infinity, access.expiresOnTimestamp - REFRESH_MARGIN_MS);
    this.cached.set(scope, { token: access.token, refreshAt });
    return access.token;
  }
}

/**
 * The process's Entra tokens for the Azure route. @azure/identity is loaded only when Entra ID is
 * in use, so the function's cold start does not pay for it otherwise.
 */
export const azureEntraTokens = new EntraTokens(async () => {
  const { DefaultAzureCredential } = await import('@azure/identity');
  return new DefaultAzureCredential();
});
