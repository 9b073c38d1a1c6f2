import { Sha256 } from '@aws-crypto/sha256-js';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { SluiceError } from '../../errors/sluice-error.ts';

export interface SignableRequest {
  url: string;
  method: string;
  headers: Record<string, string>;
  body: Uint8Array;
}

/**
 * Signs Bedrock calls with SigV4 (service `bedrock`) using the default AWS credential chain,
 * resolved once and memoized by the SDK, which refreshes temporary credentials: environment
 * variables, SSO or profiles for the local server; in the function bundles the environment alone,
 * where Lambda puts the execution role's (infra/lambda-credential-provider.ts).
 */
export class BedrockSigner {
  private readonly credentialsFactory: () => AwsCredentialIdentityProvider;
  private credentialsProvider: AwsCredentialIdentityProvider | undefined;
  private readonly signers = new Map<string, SignatureV4>();

  constructor(credentials: () => AwsCredentialIdentityProvider = () => defaultProvider()) {
    this.credentialsFactory = credentials;
  }

  /** The credential provider, for AWS SDK clients that should sign as Sluice does. */
  get credentials(): AwsCredentialIdentityProvider {
    this.credentialsProvider ??= this.credentialsFactory();
    return this.credentialsProvider;
  }

  /** The headers to send: the given ones plus host, x-amz-date, x-amz-content-sha256 (and security token), authorization. */
  async sign(request: SignableRequest, region: string): Promise<Record<string, string>> {
    let signer = this.signers.get(region);
    if (!signer) {
      signer = new SignatureV4({ service: 'bedrock', region, credentials: this.credentials, sha256: Sha256 });
      this.signers.set(region, signer);
    }
    const url = new URL(request.url);
    try {
      const signed = await signer.sign({
        method: request.method,
        protocol: url.protocol,
        hostname: url.hostname,
        ...(url.port ? { port: Number(url.port) } : {}),
        // As sent on the wire (the model id already percent-encoded): SigV4 encodes it once more.
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        headers: { ...request.headers, host: url.host },
        body: request.body,
      });
      return signed.headers as Record<string, string>;
    } catch (error) {
      throw new SluiceError(
        'upstream_error',
        `Sluice could not sign the Bedrock request: ${error instanceof Error ? error.message.split('\n', 1)[0] : String(error)}`,
        { code: 'bedrock_credentials_unavailable', cause: error },
      );
    }
  }
}
