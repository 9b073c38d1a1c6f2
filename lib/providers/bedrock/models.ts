import { SluiceError } from '../../errors/sluice-error.ts';
import type { UpstreamResponse } from '../../upstream/upstream-client.ts';
import { exactPath, type Endpoint } from '../types.ts';
import { missingCredential } from './credentials.ts';
import { listInferenceProfiles, modelList } from './inference-profiles.ts';
import { bedrockControlPlaneUrl, bedrockRegion, bedrockSettings } from './settings.ts';
import type { BedrockSigner } from './sigv4.ts';

function jsonResponse(status: number, headers: Record<string, string>, body: unknown): UpstreamResponse {
  const bytes = Buffer.from(JSON.stringify(body));
  return {
    status,
    headers: { 'content-type': 'application/json', ...headers },
    body: (async function* () {
      yield bytes;
    })(),
    cancel: () => undefined,
  };
}

interface AwsServiceError {
  name: string;
  message: string;
  $fault?: 'client' | 'server';
  $metadata?: { httpStatusCode?: number; requestId?: string };
}

function isServiceError(error: unknown): error is AwsServiceError {
  return error instanceof Error && typeof (error as AwsServiceError).$metadata?.httpStatusCode === 'number';
}

/**
 * `GET /models`: the account's inference profiles (ListInferenceProfiles, @aws-sdk/client-bedrock),
 * filtered by SLUICE_BEDROCK_ALLOWED_PROVIDERS and SLUICE_BEDROCK_ALLOWED_INFERENCE_REGIONS, as an
 * OpenAI-style model list. Authenticated like the runtime calls: the client's Bedrock API key as
 * a bearer token, else Sluice's IAM credentials. An AWS error keeps its status and type.
 */
export function modelsEndpoint(signer: BedrockSigner): Endpoint {
  return {
    operation: 'models',
    method: 'GET',
    match: exactPath('/models'),
    prepare({ request, config, apiKey, baseUrl }) {
      const settings = bedrockSettings(config);
      if (!apiKey && !settings.iamAuth) throw missingCredential(request);
      const region = bedrockRegion(settings, baseUrl);
      const endpoint = bedrockControlPlaneUrl(baseUrl);
      return {
        url: endpoint ?? `https://bedrock.${region}.amazonaws.com`,
        method: 'GET',
        headers: {},
        stream: false,
        summarize: () => ({}),
        observe: () => {
          throw new Error('the models list is not streamed');
        },
        async send(signal) {
          // Loaded on first use: only this endpoint needs the Bedrock control-plane client.
          const { BedrockClient } = await import('@aws-sdk/client-bedrock');
          const client = new BedrockClient({
            region,
            maxAttempts: 2,
            ...(endpoint ? { endpoint } : {}),
            ...(apiKey
              ? { token: { token: apiKey }, authSchemePreference: ['httpBearerAuth'] }
              : { credentials: signer.credentials }),
          });
          try {
            const profiles = await listInferenceProfiles(client, signal);
            return jsonResponse(200, {}, modelList(profiles, settings));
          } catch (error) {
            if (!isServiceError(error)) {
              throw new SluiceError(
                'upstream_error',
                `Sluice could not list the Bedrock inference profiles: ${error instanceof Error ? error.message.split('\n', 1)[0] : String(error)}`,
                { code: 'bedrock_list_failed', cause: error },
              );
            }
            return jsonResponse(
              error.$metadata!.httpStatusCode!,
              {
                'x-amzn-errortype': error.name,
                ...(error.$metadata?.requestId ? { 'x-amzn-requestid': error.$metadata.requestId } : {}),
              },
              { message: error.message },
            );
          } finally {
            client.destroy();
          }
        },
      };
    },
  };
}
