import { asSluiceError, SluiceError } from '../errors/sluice-error.ts';
import type { SluiceRequest } from '../http/request.ts';
import type { ResponseWriter } from '../http/response.ts';
import { InteractionDraft } from '../interactions/interaction-draft.ts';
import { profileLimits } from '../limits/limit.ts';
import { reserveUsage } from '../limits/reserve-usage.ts';
import { actualUsage, type UsageBudget } from '../limits/usage-budget.ts';
import { openAiDialect } from '../providers/openai/dialect.ts';
import { relayableHeaders } from '../providers/shared/headers.ts';
import type { Dialect, ProviderAdapter, UpstreamCall } from '../providers/types.ts';
import type { Runtime } from '../runtime.ts';
import { readBody, type UpstreamResponse } from '../upstream/upstream-client.ts';
import { redact, upstreamErrorMessage } from './redact.ts';
import { loadPriceCatalog } from '../pricing/price-catalog.ts';
import { brokenJsonAnswer } from './broken-json.ts';
import { checkRequestLimits } from './request-limits.ts';
import { matchRoute, providerSegment } from './route.ts';
import { applyRequestPolicies, enforceOnBody, guardStream, type GuardedObserver, type ToolSecurity } from './tool-security.ts';

const MAX_UPSTREAM_BODY_BYTES = 64 * 1024 * 1024;
export const INTERACTION_ID_HEADER = 'x-sluice-interaction-id';

interface Exchange {
  request: SluiceRequest;
  writer: ResponseWriter;
  runtime: Runtime;
  draft: InteractionDraft;
  dialect: Dialect;
  secrets: Array<string | undefined>;
  abort: AbortController;
  /** The usage reserved on the limits that apply, settled when the request ends. */
  budget?: UsageBudget;
}

/**
 * One request through the gateway: route, profile, credential, upstream call, relay, record.
 * Always answers, in the route's dialect, and always leaves one interaction record.
 */
export async function proxyRequest(
  request: SluiceRequest,
  writer: ResponseWriter,
  providers: ReadonlyMap<string, ProviderAdapter>,
  runtime: Runtime,
): Promise<void> {
  const draft = new InteractionDraft(request);
  const exchange: Exchange = {
    request,
    writer,
    runtime,
    draft,
    dialect: openAiDialect,
    secrets: [],
    abort: new AbortController(),
  };
  writer.onClientGone(() => exchange.abort.abort());
  const prices = loadPriceCatalog();
  try {
    await forward(exchange, providers, prices);
  } catch (caught) {
    const error = asSluiceError(caught);
    if (error.kind === 'internal') {
      runtime.logger.error('request failed', { requestId: request.requestId, error: describe(caught, exchange) });
    }
    if (writer.clientGone) draft.cancel();
    else draft.fail(error);
    if (!writer.started && !writer.clientGone) {
      const rendered = exchange.dialect.renderError(error);
      await writer.send(rendered.status, { ...rendered.headers, [INTERACTION_ID_HEADER]: draft.id }, rendered.body);
    }
  } finally {
    await prices;
    const record = draft.finish(
      { status: writer.status, bytes: writer.bytesWritten, firstByteAt: writer.firstByteAt },
      runtime.config.storage.interactionTtlDays,
    );
    // Metrics and trace are published while storage writes the record (the write is sent first).
    await Promise.all([
      runtime.records.write(record),
      exchange.budget?.settle(actualUsage(record), runtime.logger),
      runtime.telemetry.requestEnded(record, draft.upstreamStartedAt),
    ]);
  }
}

async function forward(
  exchange: Exchange,
  providers: ReadonlyMap<string, ProviderAdapter>,
  prices: Promise<void>,
): Promise<void> {
  const { request, runtime, draft } = exchange;
  const { config } = runtime;
  const provider = providers.get(providerSegment(request.path) ?? '');
  if (!provider) {
    throw new SluiceError('not_found', `No route at ${request.method} ${request.path}.`, { code: 'unknown_route' });
  }
  exchange.dialect = provider.dialect;
  draft.provider = provider.id;
  const route = matchRoute(request, provider);
  draft.operation = route.endpoint.operation;
  draft.profileId = route.profileId;

  checkRequestLimits(request, config.limits, route.endpoint.method === 'POST');
  const baseUrl = provider.baseUrl(config);
  if (!baseUrl) {
    throw new SluiceError('not_found', `${provider.displayName} is not enabled. ${provider.howToEnable}`, {
      code: 'provider_not_enabled',
    });
  }
  const profile = await runtime.profiles.get(route.profileId);
  if (!profile) {
    throw new SluiceError('not_found', `Profile '${route.profileId}' does not exist.`, {
      code: 'profile_not_found',
    });
  }
  const access = await runtime.auth.authorize({ request, provider, profile, config });
  const apiKey = access.apiKey;
  exchange.secrets.push(apiKey, ...access.presented);
  draft.credential = access.credential;
  if (!apiKey && provider.keyRequired(config)) {
    throw new SluiceError(
      'unauthorized',
      `No API key: send your ${provider.displayName} key as the provider's SDK does, or set the server default key.`,
      { code: 'missing_api_key' },
    );
  }
  const call = await route.endpoint.prepare({
    request,
    params: route.params,
    profile,
    config,
    apiKey,
    baseUrl: access.baseUrl ?? baseUrl,
    upstreamKeys: access,
  });
  draft.model = call.model;
  draft.stream = call.stream;
  draft.routing = call.routing;
  const security = await applyRequestPolicies(call, profile, request.headers, runtime, draft);
  const subjects = access.limits ? [profileLimits(profile), access.limits] : [profileLimits(profile)];
  if (subjects.some((subject) => subject.limits.length > 0)) await prices;
  exchange.budget = await reserveUsage(runtime.limiter, runtime.logger, {
    subjects,
    provider: provider.id,
    model: call.model,
    operation: draft.operation,
    body: request.body,
    requestId: request.requestId,
  });

  draft.upstreamStarted();
  const upstream = await (call.send ? call.send(exchange.abort.signal) : runtime.upstream.send(call, exchange.abort.signal));
  if (upstream.status >= 400) return relayUpstreamError(exchange, upstream);
  if (call.stream && (call.isStreamResponse?.(upstream.headers) ?? isEventStream(upstream))) {
    return relayStream(exchange, call, upstream, security);
  }
  return relayWhole(exchange, call, upstream, security);
}

function responseHeaders(exchange: Exchange, upstream: UpstreamResponse): Record<string, string> {
  return { ...relayableHeaders(upstream.headers), ...exchange.budget?.headers(), [INTERACTION_ID_HEADER]: exchange.draft.id };
}

function isEventStream(upstream: UpstreamResponse): boolean {
  const type = upstream.headers['content-type'] ?? '';
  return !type.includes('application/json');
}

async function relayUpstreamError(exchange: Exchange, upstream: UpstreamResponse): Promise<void> {
  const body = await readBody(upstream, MAX_UPSTREAM_BODY_BYTES);
  exchange.draft.upstreamFailed(redact(upstreamErrorMessage(upstream.status, body), exchange.secrets));
  await exchange.writer.send(upstream.status, responseHeaders(exchange, upstream), body);
}

async function relayWhole(
  exchange: Exchange,
  call: UpstreamCall,
  upstream: UpstreamResponse,
  security: ToolSecurity | undefined,
): Promise<void> {
  const body = await readBody(upstream, MAX_UPSTREAM_BODY_BYTES);
  exchange.draft.summary = call.summarize(body);
  exchange.draft.keepResponse(body);
  const broken = brokenJsonAnswer(upstream.status, upstream.headers, body, exchange.draft.summary);
  if (broken) exchange.draft.upstreamFailed(broken);
  const answer = security ? enforceOnBody(security, body, exchange.draft) : body;
  await exchange.writer.send(upstream.status, responseHeaders(exchange, upstream), answer);
}

/** While the guard holds tool-call chunks, sends the dialect's keep-alive so client stall timers stay quiet. */
function keepAliveWhileHolding(exchange: Exchange, observer: GuardedObserver): () => void {
  const interval = exchange.runtime.config.streamKeepAliveMs;
  let lastWrite = performance.now();
  const timer = setInterval(() => {
    if (!observer.holding() || exchange.writer.clientGone) return;
    if (performance.now() - lastWrite < interval * 0.9) return;
    lastWrite = performance.now();
    void exchange.writer.write(observer.keepAlive());
  }, Math.max(10, Math.floor(interval / 2)));
  return () => clearInterval(timer);
}

/** Forwards each chunk the moment it arrives while the observer reads it; a break ends with an error event. */
async function relayStream(
  exchange: Exchange,
  call: UpstreamCall,
  upstream: UpstreamResponse,
  security: ToolSecurity | undefined,
): Promise<void> {
  const { writer, draft } = exchange;
  const guarded = security ? guardStream(call.observe(), security, draft) : undefined;
  const observer = guarded ?? call.observe();
  const stopKeepAlive = guarded ? keepAliveWhileHolding(exchange, guarded) : undefined;
  writer.start(upstream.status, responseHeaders(exchange, upstream));
  try {
    for await (const chunk of upstream.body) {
      draft.keepResponse(chunk);
      const out = observer.push(chunk);
      if (out) await writer.write(out);
      if (writer.clientGone) break;
      const broken = observer.broken?.();
      if (broken) throw broken;
    }
    if (writer.clientGone) {
      upstream.cancel();
      draft.cancel();
      return;
    }
    const tail = observer.end();
    if (tail) await writer.write(tail);
    const failure = observer.upstreamFailure?.();
    if (failure) {
      draft.upstreamFailed(redact(failure, exchange.secrets));
      await writer.end();
      return;
    }
    if (!observer.completed()) {
      throw new SluiceError('upstream_error', 'The upstream stream ended before its end marker.', {
        code: 'incomplete_stream',
      });
    }
    await writer.end();
  } catch (caught) {
    if (writer.clientGone) {
      draft.cancel();
      return;
    }
    const error =
      caught instanceof SluiceError
        ? caught
        : new SluiceError('upstream_error', 'The upstream connection broke during the stream.', {
            code: 'upstream_stream_broken',
            cause: caught,
          });
    draft.fail(error);
    const errorEvent = call.streamError ? call.streamError(error) : exchange.dialect.streamError(error);
    const separator = errorEvent.byteLength > 0 && !observer.atEventBoundary() ? '\n\n' : '';
    await writer.end(Buffer.concat([Buffer.from(separator), errorEvent]));
  } finally {
    stopKeepAlive?.();
    draft.summary = observer.summary();
  }
}

function describe(error: unknown, exchange: Exchange): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return redact(text, exchange.secrets);
}
