import { SluiceError } from '../errors/sluice-error.ts';
import type { JsonObject } from '../providers/shared/json-body.ts';
import { relayableHeaders } from '../providers/shared/headers.ts';
import { wholeBodyObserver } from '../providers/shared/whole-body-observer.ts';
import type { PrepareInput, ResponseSummary, StreamObserver } from '../providers/types.ts';
import { redact } from '../proxy/redact.ts';
import { readBody, type UpstreamClient, type UpstreamResponse } from '../upstream/upstream-client.ts';
import type { ImageResolver } from './images.ts';
import type { ModelRef } from './model-id.ts';
import type { RouterApi } from './router-api.ts';
import { openAiChatTranslator } from './translate/openai-chat/translator.ts';
import type { NativeTranslator } from './translate/translator.ts';
import { prepareThrough } from './targets/synthetic-request.ts';
import type { NativeCall, NativeCallInput, RouterTarget } from './targets/types.ts';
import { bufferedResponse, openAiErrorResponse } from './upstream-errors.ts';

const MAX_UPSTREAM_BODY_BYTES = 64 * 1024 * 1024;
/** Response header naming the model that answered (after fallbacks, not always the first asked for). */
export const SERVED_MODEL_HEADER = 'x-sluice-model';

/** One model the router may try: its provider, where, and with which credential. */
export interface AttemptPlan {
  ref: ModelRef;
  target: RouterTarget;
  baseUrl: string;
  apiKey: string | undefined;
}

/** An upstream answer, already in the OpenAI API the client called, and how to read it. */
export interface ServedAttempt {
  response: UpstreamResponse;
  observe(): StreamObserver;
  summarize(body: Buffer): ResponseSummary;
}

export interface AttemptContext {
  api: RouterApi;
  /** The client's body (tool results already rewritten by the security pipeline, if any). */
  json: JsonObject;
  input: PrepareInput;
  upstream: UpstreamClient;
  images: ImageResolver;
  signal: AbortSignal;
}

interface TranslatedRoute {
  translator: NativeTranslator;
  call(input: NativeCallInput): Promise<NativeCall & { body?: Uint8Array }>;
}

/**
 * How a plan reaches its provider when the API cannot go as it is: the provider's own translator,
 * or, for an OpenAI-style provider without the Responses API, Chat Completions through its chat endpoint.
 */
export function translatedRoute(plan: AttemptPlan, api: RouterApi): TranslatedRoute | undefined {
  const target = plan.target;
  if (target.kind === 'translated') return target;
  if (api.nativeEndpoint(target)) return undefined;
  return {
    translator: openAiChatTranslator,
    async call(input) {
      const prepared = await prepareThrough(target.chat, input, {
        method: 'POST',
        path: '/chat/completions',
        headers: { accept: 'application/json' },
        body: input.body,
      });
      return { url: prepared.url, headers: prepared.headers, body: prepared.body };
    },
  };
}

function withServedModel(response: UpstreamResponse, plan: AttemptPlan): UpstreamResponse {
  return { ...response, headers: { ...response.headers, [SERVED_MODEL_HEADER]: plan.ref.id } };
}

/** The API as the client sent it, with only the model name rewritten (and the router's `models` taken out). */
async function sendAsIs(plan: AttemptPlan, context: AttemptContext): Promise<ServedAttempt> {
  const { api, json, input } = context;
  const endpoint = api.nativeEndpoint(plan.target as Extract<RouterTarget, { kind: 'openai-style' }>)!;
  const body = Buffer.from(JSON.stringify({ ...json, model: plan.ref.model, models: undefined }));
  const prepared = await prepareThrough(
    endpoint,
    { ...input, apiKey: plan.apiKey, baseUrl: plan.baseUrl },
    { method: 'POST', path: api.path, headers: input.request.headers, body },
  );
  const response = await context.upstream.send(prepared, context.signal);
  if (response.status >= 400) return failed(withServedModel(await withoutKey(response, plan.apiKey), plan));
  return {
    response: withServedModel(response, plan),
    observe: () => prepared.observe(),
    summarize: (raw) => prepared.summarize(raw),
  };
}

/**
 * An error body as the provider sent it, except for the key the router chose (which may be the
 * server's own): an upstream that echoes it must not hand it to the client.
 */
async function withoutKey(response: UpstreamResponse, apiKey: string | undefined): Promise<UpstreamResponse> {
  const body = await readBody(response, MAX_UPSTREAM_BODY_BYTES);
  const text = body.toString('utf8');
  const clean = apiKey && apiKey.length >= 8 && text.includes(apiKey) ? Buffer.from(redact(text, [apiKey])) : body;
  return bufferedResponse(response.status, relayableHeaders(response.headers), clean);
}

function failed(response: UpstreamResponse): ServedAttempt {
  return { response, observe: wholeBodyObserver, summarize: () => ({}) };
}

async function sendTranslated(plan: AttemptPlan, route: TranslatedRoute, context: AttemptContext): Promise<ServedAttempt> {
  const { api, json, input } = context;
  const { target, ref, apiKey } = plan;
  const { request, includeUsage } = api.read(json, target.displayName);
  const native = await route.translator.request(request, { model: ref.model, providerName: target.displayName, images: context.images });
  const body = Buffer.from(JSON.stringify(native));
  const call = await route.call({
    config: input.config,
    baseUrl: plan.baseUrl,
    apiKey,
    model: ref.model,
    stream: request.stream,
    body,
    profile: input.profile,
    request: input.request,
  });
  const upstream = await context.upstream.send({ url: call.url, method: 'POST', headers: call.headers, body: call.body ?? body }, context.signal);
  if (upstream.status >= 400) return failed(withServedModel(await openAiErrorResponse(upstream, target.displayName, [apiKey]), plan));
  return request.stream ? streamed(plan, route, context, upstream, includeUsage) : whole(plan, route, context, upstream);
}

async function whole(plan: AttemptPlan, route: TranslatedRoute, context: AttemptContext, upstream: UpstreamResponse): Promise<ServedAttempt> {
  const raw = await readBody(upstream, MAX_UPSTREAM_BODY_BYTES);
  let native: unknown;
  try {
    native = JSON.parse(raw.toString('utf8'));
  } catch {
    native = undefined;
  }
  if (native === null || typeof native !== 'object' || Array.isArray(native)) {
    throw new SluiceError('upstream_error', `${plan.target.displayName} answered with a body that is not a JSON object.`, { code: 'upstream_malformed' });
  }
  const completion = route.translator.response(native as JsonObject, plan.ref.model);
  const out = Buffer.from(JSON.stringify(context.api.whole(completion, plan.ref.model, context.json)));
  const summary: ResponseSummary = { model: completion.model, usage: completion.usage, finishReason: completion.finishReason };
  return {
    response: bufferedResponse(200, { 'content-type': 'application/json', [SERVED_MODEL_HEADER]: plan.ref.id }, out),
    observe: wholeBodyObserver,
    summarize: () => summary,
  };
}

/**
 * A native stream read and rewritten chunk by chunk as it arrives. The stream is complete only when
 * the provider's own end arrived; a failure the provider reports inside it becomes the API's error event.
 */
function streamed(
  plan: AttemptPlan,
  route: TranslatedRoute,
  context: AttemptContext,
  upstream: UpstreamResponse,
  includeUsage: boolean,
): ServedAttempt {
  const decoder = route.translator.stream();
  const encoder = context.api.encoder(plan.ref.model, context.json, includeUsage);
  const state: { completed: boolean; failure?: string } = { completed: false };
  const fail = () => {
    state.failure = redact(`${plan.target.displayName}: ${decoder.failure()}`, [plan.apiKey]);
    return encoder.error(state.failure);
  };

  async function* translate(): AsyncGenerator<Buffer> {
    for await (const chunk of upstream.body) {
      let out = encoder.write(decoder.push(chunk));
      if (decoder.failure() !== undefined) {
        out += fail();
        upstream.cancel();
        yield Buffer.from(out);
        return;
      }
      if (out) yield Buffer.from(out);
    }
    let out = encoder.write(decoder.end());
    if (decoder.failure() !== undefined) out += fail();
    else if (decoder.completed()) {
      state.completed = true;
      out += encoder.finish();
    }
    if (out) yield Buffer.from(out);
  }

  const response: UpstreamResponse = {
    status: 200,
    headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', [SERVED_MODEL_HEADER]: plan.ref.id },
    body: translate(),
    cancel: () => upstream.cancel(),
  };
  return {
    response,
    observe: () => ({
      push: (chunk) => chunk,
      end: () => undefined,
      summary: () => {
        const seen = encoder.summary();
        return { model: seen.model, usage: seen.usage, finishReason: seen.finishReason };
      },
      completed: () => state.completed,
      atEventBoundary: () => true,
      upstreamFailure: () => state.failure,
    }),
    summarize: () => ({}),
  };
}

/** Sends one attempt: as it is to an OpenAI-style provider that takes the API, else translated. */
export function sendAttempt(plan: AttemptPlan, context: AttemptContext): Promise<ServedAttempt> {
  const route = translatedRoute(plan, context.api);
  return route ? sendTranslated(plan, route, context) : sendAsIs(plan, context);
}
