import * as z from 'zod';
import { SluiceError } from '../../errors/sluice-error.ts';
import type { SluiceRequest } from '../../http/request.ts';
import { forwardableHeaders } from '../shared/headers.ts';
import { parseJsonObject, validateFields } from '../shared/json-body.ts';
import { pathSegment } from '../shared/path-segment.ts';
import { exactPath, type Endpoint } from '../types.ts';
import { missingCredential } from './credentials.ts';
import { observeConverseStream, summarizeConverse } from './event-stream.ts';
import { upstreamModelId } from './model-id.ts';
import { bedrockRegion, bedrockSettings } from './settings.ts';
import type { BedrockSigner } from './sigv4.ts';
import { converseToolAnswer } from './tool-answer.ts';
import { bedrockCarriesTools, bedrockRequestToolView } from './tool-request.ts';

type Operation = 'converse' | 'converse-stream';

const MAX_MODEL_ID_LENGTH = 2048;
const modelId = z.string().min(1, 'must be a non-empty string').max(MAX_MODEL_ID_LENGTH);

const converseFields = z.looseObject({
  messages: z.array(z.unknown(), 'must be an array of messages').optional(),
});
const converseFieldsWithModel = converseFields.extend({ modelId });

/** `/model/{modelId}/converse[-stream]`, the path the AWS SDK uses; the id arrives percent-encoded. */
function modelPath(operation: Operation): Endpoint['match'] {
  const pattern = new RegExp(`^/model/(.+)/${operation}/?$`);
  return (path) => {
    const match = pattern.exec(path);
    if (!match) return undefined;
    try {
      return { modelId: decodeURIComponent(match[1]!) };
    } catch {
      return undefined;
    }
  };
}

/** Bedrock's own request headers (guardrail trace and the like): `x-amzn-bedrock-*`. */
function bedrockHeaders(request: SluiceRequest): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (name.startsWith('x-amzn-bedrock-')) out[name] = value;
  }
  return out;
}

/**
 * Converse and ConverseStream. The model comes from the path (as the AWS SDK sends it) or, on
 * `/converse` and `/converse-stream`, from `modelId` in the body, which Sluice then removes since
 * Bedrock takes it only in the path. The upstream credential is the client's Bedrock API key as a
 * bearer token, else (with IAM auth on) Sluice's own SigV4 signature.
 */
export function converseEndpoint(operation: Operation, modelIn: 'path' | 'body', signer: BedrockSigner): Endpoint {
  const stream = operation === 'converse-stream';
  return {
    operation: 'chat',
    method: 'POST',
    match: modelIn === 'path' ? modelPath(operation) : exactPath(`/${operation}`),
    async prepare({ request, params, config, apiKey, baseUrl }) {
      const settings = bedrockSettings(config);
      if (!apiKey && !settings.iamAuth) throw missingCredential(request);
      const json = parseJsonObject(request.body);
      let model: string;
      let body: Uint8Array = request.body;
      // What Bedrock gets as JSON: the client's body, without the model id when it came in the body.
      let upstreamJson = json;
      if (modelIn === 'body') {
        model = validateFields(converseFieldsWithModel, json).modelId;
        const { modelId: _model, ...rest } = json;
        upstreamJson = rest;
        body = Buffer.from(JSON.stringify(rest));
      } else {
        validateFields(converseFields, json);
        const parsed = modelId.safeParse(params.modelId);
        if (!parsed.success) {
          throw new SluiceError('bad_request', `Invalid model id in the path: ${parsed.error.issues[0]!.message}.`, {
            param: 'modelId',
            code: 'invalid_value',
          });
        }
        model = parsed.data;
      }
      const url = `${baseUrl}/model/${pathSegment(upstreamModelId(model, settings.inferenceProfilePrefix), 'modelId')}/${operation}`;
      const headers: Record<string, string> = {
        ...forwardableHeaders(request),
        ...bedrockHeaders(request),
        'content-type': 'application/json',
      };
      const authorize = async (payload: Uint8Array) =>
        apiKey
          ? { ...headers, authorization: `Bearer ${apiKey}` }
          : await signer.sign({ url, method: 'POST', headers, body: payload }, bedrockRegion(settings, baseUrl));
      return {
        url,
        method: 'POST',
        headers: await authorize(body),
        body,
        model,
        stream,
        summarize: summarizeConverse,
        observe: observeConverseStream,
        tools: bedrockCarriesTools(upstreamJson)
          ? { request: bedrockRequestToolView(upstreamJson), response: converseToolAnswer }
          : undefined,
        // A SigV4 signature covers the body: a body that policies rewrote is signed again.
        headersForBody: apiKey ? undefined : authorize,
      };
    },
  };
}
