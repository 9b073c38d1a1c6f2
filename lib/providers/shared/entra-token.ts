import type { AccessToken, TokenCredential } from '@azure/identity';
import { SluiceError } from '../../errors/sluice-error.ts';

/** Where tokens come from: DefaultAzureCredential in production, anything with getToken in tests. */
export type CredentialFactory = () => TokenCredential | Promise<TokenCredential>;

/**
 * @azure/identity's DefaultAzureCredential (environment, workload identity, managed identity, Azure
 * CLI, …), loaded on first use so that functions which never use Entra ID do not load it at cold start.
 */
export const defaultAzureCredential: CredentialFactory = async () => {
  const { DefaultAzureCredential } = await import('@azure/identity');
  return new DefaultAzureCredential();
};

export interface EntraTokenCacheOptions {
  /** Fetch a new token this long before the current one expires (default five minutes). */
  refreshMarginMs?: number;
  now?: () => number;
}

const DEFAULT_REFRESH_MARGIN_MS = 5 * 60_000;
const MAX_REASON_LENGTH = 300;

/**
 * A Microsoft Entra ID access token for one scope, kept until shortly before it expires. Callers
 * that ask while a token is being fetched share that fetch. When a refresh fails while the current
 * token is still valid, the current token is used.
 */
export class EntraTokenCache {
  private readonly scope: string;
  private readonly factory: CredentialFactory;
  private readonly refreshMarginMs: number;
  private readonly now: () => number;
  private credential: TokenCredential | undefined;
  private current: AccessToken | undefined;
  private pending: Promise<AccessToken> | undefined;

  constructor(scope: string, factory: CredentialFactory, options: EntraTokenCacheOptions = {}) {
    this.scope = scope;
    this.factory = factory;
    this.refreshMarginMs = options.refreshMarginMs ?? DEFAULT_REFRESH_MARGIN_MS;
    this.now = options.now ?? Date.now;
  }

  async token(): Promise<string> {
    const current = this.current;
    if (current && this.now() < this.refreshAt(current)) return current.token;
    try {
      this.pending ??= this.fetch();
      return (await this.pending).token;
    } catch (error) {
      if (current && this.now() < current.expiresOnTimestamp) return current.token;
      throw new SluiceError(
        'upstream_error',
        `Could not get a Microsoft Entra ID token for ${this.scope}: ${reason(error)}`,
        { code: 'upstream_credential_unavailable', cause: error },
      );
    }
  }

  private refreshAt(token: AccessToken): number {
    const nearExpiry = token.expiresOnTimestamp - this.refreshMarginMs;
    return token.refreshAfterTimestamp === undefined ? nearExpiry : Math.min(token.refreshAfterTimestamp, nearExpiry);
  }

  private async fetch(): Promise<AccessToken> {
    try {
      this.credential ??= await this.factory();
      const token = await this.credential.getToken(this.scope);
      if (!token?.token) throw new Error('the credential returned no token');
      this.current = token;
      return token;
    } finally {
      this.pending = undefined;
    }
  }
}

function reason(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const firstLine = text.split('\n', 1)[0]!.trim();
  return firstLine.length > MAX_REASON_LENGTH ? `${firstLine.slice(0, MAX_REASON_LENGTH)}…` : firstLine;
}
