import type { SignatureV4 } from '@smithy/signature-v4';
import { loadConfig } from '../../lib/config/index.ts';
import { adminTokenPath, readAdminToken } from '../local/admin-token.ts';
import { CliError } from './cli-error.ts';

export interface AdminTargetOptions {
  /** --admin-url; else SLUICE_ADMIN_URL; else the local server at 127.0.0.1:$PORT. */
  adminUrl?: string;
  /** --sigv4: sign with AWS credentials even when the URL is not a Lambda function URL. */
  sigv4?: boolean;
  region?: string;
  env?: Record<string, string | undefined>;
}

type Authorize = (method: string, url: URL, headers: Record<string, string>, body: string | undefined) => Promise<Record<string, string>>;

const FUNCTION_URL_HOST = /^[a-z0-9]+\.lambda-url\.([a-z0-9-]+)\.on\.aws$/;

function localToken(env: Record<string, string | undefined>): Authorize {
  let token = env.SLUICE_ADMIN_TOKEN;
  if (!token) {
    const dataDir = loadConfig(env).server.dataDir;
    token = readAdminToken(dataDir);
    if (!token) {
      throw new CliError(
        `No admin token at ${adminTokenPath(dataDir)}. Start the local server first (sluice start), ` +
          'point SLUICE_DATA_DIR at its data directory, or set SLUICE_ADMIN_TOKEN.',
      );
    }
  }
  return async (_method, _url, headers) => ({ ...headers, authorization: `Bearer ${token}` });
}

/** SigV4 for an AWS_IAM Function URL: service `lambda`, credentials from the default Node provider chain. */
function sigv4(region: string): Authorize {
  let signer: Promise<SignatureV4> | undefined;
  // The AWS credential chain is loaded only when a deployment is called.
  const load = async () => {
    const [{ Sha256 }, { defaultProvider }, { SignatureV4: Signer }] = await Promise.all([
      import('@aws-crypto/sha256-js'),
      import('@aws-sdk/credential-provider-node'),
      import('@smithy/signature-v4'),
    ]);
    return new Signer({ service: 'lambda', region, credentials: defaultProvider(), sha256: Sha256 });
  };
  return async (method, url, headers, body) => {
    const query: Record<string, string> = {};
    for (const [name, value] of url.searchParams) query[name] = value;
    signer ??= load();
    const signed = await (await signer).sign({
      method,
      protocol: url.protocol,
      hostname: url.hostname,
      port: url.port ? Number(url.port) : undefined,
      path: url.pathname,
      query,
      headers: { ...headers, host: url.host },
      body,
    });
    return signed.headers;
  };
}

/** The admin API, local or deployed, as the CLI calls it. */
export class AdminClient {
  readonly baseUrl: string;
  readonly signed: boolean;
  private readonly authorize: Authorize;

  constructor(options: AdminTargetOptions = {}) {
    const env = options.env ?? process.env;
    const given = options.adminUrl ?? env.SLUICE_ADMIN_URL;
    let base: URL;
    try {
      base = new URL(given ?? `http://127.0.0.1:${loadConfig(env).server.port}`);
    } catch {
      throw new CliError(`The admin URL ${JSON.stringify(given)} is not a URL.`, 2);
    }
    this.baseUrl = base.href.replace(/\/+$/, '');
    const functionUrlRegion = FUNCTION_URL_HOST.exec(base.hostname)?.[1];
    this.signed = options.sigv4 === true || functionUrlRegion !== undefined;
    if (this.signed) {
      const region = options.region ?? functionUrlRegion ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
      if (!region) throw new CliError('SigV4 needs a region: pass --region or set AWS_REGION.', 2);
      this.authorize = sigv4(region);
    } else {
      this.authorize = localToken(env);
    }
  }

  /** Calls the API; a non-2xx answer becomes a CliError carrying the API's own message. */
  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const url = new URL(`${this.baseUrl}${path}`);
    const text = body === undefined ? undefined : JSON.stringify(body);
    const headers = await this.authorize(
      method,
      url,
      { accept: 'application/json', ...(text === undefined ? {} : { 'content-type': 'application/json' }) },
      text,
    );
    let response: Response;
    try {
      response = await fetch(url, { method, headers, body: text });
    } catch (error) {
      const reason = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
      throw new CliError(
        `Cannot reach the admin API at ${this.baseUrl} (${reason}).` +
          (this.signed ? '' : ' Is the local server running (sluice start)? Set SLUICE_ADMIN_URL for another address.'),
      );
    }
    const raw = await response.text();
    let json: unknown;
    try {
      json = raw === '' ? undefined : JSON.parse(raw);
    } catch {
      json = undefined;
    }
    if (!response.ok) {
      const error = (json as { error?: { message?: string; code?: string }; message?: string; Message?: string } | undefined) ?? {};
      const message = error.error?.message ?? error.message ?? error.Message ?? (raw.trim().slice(0, 300) || response.statusText);
      throw new CliError(`${response.status} ${message}`);
    }
    return json as T;
  }
}
