import { bearerToken } from '../shared/headers.ts';
import type { ProviderAdapter } from '../types.ts';
import { converseEndpoint } from './converse.ts';
import { awsDialect } from './dialect.ts';
import { modelsEndpoint } from './models.ts';
import { bedrockSettings } from './settings.ts';
import { BedrockSigner } from './sigv4.ts';

export interface BedrockProviderOptions {
  /** Signs upstream calls in IAM mode (tests inject credentials); default: the AWS default chain. */
  signer?: BedrockSigner;
}

/**
 * Amazon Bedrock (Converse, ConverseStream, and the model list). Enabled by SLUICE_BEDROCK_BASE_URL.
 * A client's `Authorization: Bearer` is a Bedrock API key and goes upstream as one; a client's
 * SigV4 `Authorization` is never forwarded. With SLUICE_BEDROCK_IAM_AUTH_ENABLED=true, calls that
 * carry no bearer key are signed by Sluice with its own credentials, and SLUICE_BEDROCK_API_KEY is
 * not used.
 */
export function createBedrockProvider(options: BedrockProviderOptions = {}): ProviderAdapter {
  const signer = options.signer ?? new BedrockSigner();
  return {
    id: 'bedrock',
    displayName: 'Amazon Bedrock',
    dialect: awsDialect,
    endpoints: [
      converseEndpoint('converse', 'path', signer),
      converseEndpoint('converse-stream', 'path', signer),
      converseEndpoint('converse', 'body', signer),
      converseEndpoint('converse-stream', 'body', signer),
      modelsEndpoint(signer),
    ],
    baseUrl: (config) => config.providers.bedrock?.baseUrl,
    howToEnable: 'Set SLUICE_BEDROCK_BASE_URL to the Bedrock Runtime endpoint, for example https://bedrock-runtime.us-east-1.amazonaws.com.',
    clientKey: bearerToken,
    defaultKey: (config) => (bedrockSettings(config).iamAuth ? undefined : config.providers.bedrock?.apiKey),
    // Checked by each endpoint, so that the answer can say why a SigV4-signed request has no key.
    keyRequired: () => false,
  };
}

export const bedrockProvider = createBedrockProvider();
