import type { GoogleAuth } from 'google-auth-library';
import { SluiceError } from '../../errors/sluice-error.ts';

export interface AccessToken {
  token: string;
  /** Epoch milliseconds; absent when the source does not say. */
  expiresAt?: number;
}

/** Where Vertex AI access tokens come from: google-auth-library in production, a stub in tests. */
export type TokenSource = () => Promise<AccessToken>;

const CLOUD_PLATFORM_SCOPE = 'https://www.googleapis.com/auth/cloud-platform';

/**
 * Tokens from google-auth-library: the credentials file when one is given (a service-account key,
 * or a workload-identity-federation config), else Application Default Credentials (the attached
 * service account on Google Cloud, `gcloud auth application-default login` on a laptop).
 */
export function googleAuthTokenSource(credentialsFile: string | undefined): TokenSource {
  // google-auth-library is loaded on the first Vertex call, so the Gemini API key mode never pays for it.
  let auth: Promise<GoogleAuth> | undefined;
  return async () => {
    auth ??= import('google-auth-library').then(
      ({ GoogleAuth }) => new GoogleAuth({ scopes: [CLOUD_PLATFORM_SCOPE], ...(credentialsFile ? { keyFilename: credentialsFile } : {}) }),
    );
    const client = await (await auth).getClient();
    const { token } = await client.getAccessToken();
    if (!token) throw new Error('google-auth-library returned no access token');
    const expiry = client.credentials?.expiry_date;
    return typeof expiry === 'number' ? { token, expiresAt: expiry } : { token };
  };
}

export interface CachedAccessTokenOptions {
  now?: () => number;
  /** Fetch a new token this long before the current one expires. */
  refreshMarginMs?: number;
  /** How long to reuse a token whose source gave no expiry. */
  unknownExpiryMs?: number;
}

/**
 * One access token reused until shortly before it expires; concurrent requests that find it stale
 * share a single fetch. A failed fetch is a 502 in the route's dialect, and the next request tries again.
 */
export class CachedAccessToken {
  private readonly source: TokenSource;
  private readonly now: () => number;
  private readonly refreshMarginMs: number;
  private readonly unknownExpiryMs: number;
  private current: Required<AccessToken> | undefined;
  private pending: Promise<Required<AccessToken>> | undefined;

  constructor(source: TokenSource, options: CachedAccessTokenOptions = {}) {
    this.source = source;
    this.now = options.now ?? Date.now;
    this.refreshMarginMs = options.refreshMarginMs ?? 5 * 60_000;
    this.unknownExpiryMs = options.unknownExpiryMs ?? 5 * 60_000;
  }

  async get(): Promise<string> {
    const current = this.current;
    if (current && this.now() < current.expiresAt - this.refreshMarginMs) return current.token;
    this.pending ??= this.fetch().finally(() => {
      this.pending = undefined;
    });
    return (await this.pending).token;
  }

  private async fetch(): Promise<Required<AccessToken>> {
    let fetched: AccessToken;
    try {
      fetched = await this.source();
    } catch (error) {
      throw new SluiceError(
        'upstream_error',
        `Sluice could not get a Google access token for Vertex AI (${describe(error)}). Check SLUICE_GEMINI_VERTEX_AI_CREDENTIALS_FILE or the Application Default Credentials.`,
        { code: 'vertex_auth_failed', cause: error },
      );
    }
    const token = { token: fetched.token, expiresAt: fetched.expiresAt ?? this.now() + this.unknownExpiryMs };
    this.current = token;
    return token;
  }
}

function describe(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n', 1)[0]!.slice(0, 200);
}
