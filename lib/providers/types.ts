import type { IncomingHttpHeaders } from 'node:http';
import type { UpstreamKeys } from '../auth/authenticator.ts';
import type { Config } from '../config/index.ts';
import type { SluiceError } from '../errors/sluice-error.ts';
import type { SluiceRequest } from '../http/request.ts';
import type { RoutingReport, TokenUsage } from '../interactions/interaction.ts';
import type { Profile } from '../profiles/profile.ts';
import type { ToolExchange } from '../security/tool-view.ts';
import type { UpstreamResponse } from '../upstream/upstream-client.ts';

/** How one API family speaks errors, so that its official SDK raises its own typed errors. */
export interface Dialect {
  renderError(error: SluiceError): { status: number; headers: Record<string, string>; body: string };
  /** Bytes appended to a stream that broke after it started, so the client sees an error. */
  streamError(error: SluiceError): Buffer;
}

/** A tool call the model asked for, as read from its answer. */
export interface ToolCallSummary {
  id?: string;
  name: string;
}

/** What Sluice learnt from an upstream answer. */
export interface ResponseSummary {
  model?: string;
  usage?: TokenUsage;
  finishReason?: string;
  toolCalls?: ToolCallSummary[];
}

/** Watches a streamed success body as it passes through. */
export interface StreamObserver {
  /** Each upstream chunk in order; returns the bytes to forward (the same chunk when untouched). */
  push(chunk: Buffer): Buffer | undefined;
  /** After the last chunk: any held bytes still to forward. */
  end(): Buffer | undefined;
  summary(): ResponseSummary;
  /** True when the stream carried its own end marker (`[DONE]`, `message_stop`, …). */
  completed(): boolean;
  /** True when the bytes forwarded so far end between two events (a stream error can follow). */
  atEventBoundary(): boolean;
  /** The error the upstream reported inside the stream (an `error` event, a failed finish), if any. */
  upstreamFailure?(): string | undefined;
  /**
   * Set once the stream cannot be read any further (a malformed frame): the bytes before it were
   * returned by `push`, and the relay stops here and ends the stream with this error.
   */
  broken?(): SluiceError | undefined;
}

/** The call Sluice makes upstream for one request, and how to read its answer. */
export interface UpstreamCall {
  url: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: Uint8Array;
  /** The model the client asked for, when the request names one. */
  model?: string;
  stream: boolean;
  summarize(body: Buffer): ResponseSummary;
  observe(): StreamObserver;
  /** Present when the request declares tools or carries tool results: the security pipeline's view. */
  tools?: ToolExchange;
  /** The headers for a body that policies rewrote, when they depend on the body (a SigV4 signature). */
  headersForBody?(body: Uint8Array): Promise<Record<string, string>>;
  /** How this call's stream reports a break, when it differs from the dialect's (another stream format). */
  streamError?(error: SluiceError): Buffer;
  /**
   * Whether a success answer of a streaming call is relayed as a stream. Absent: when its
   * content type is not JSON (Gemini streams a JSON array; an OpenAI-style server may ignore `stream`).
   */
  isStreamResponse?(headers: IncomingHttpHeaders): boolean;
  /** Makes the call itself (an AWS SDK call; the model router's fallbacks), not through the HTTP upstream client. */
  send?(signal: AbortSignal): Promise<UpstreamResponse>;
  /** The model router's report of which provider served and what it tried; the record carries it. */
  routing?: RoutingReport;
}

export interface PrepareInput {
  request: SluiceRequest;
  params: Record<string, string>;
  profile: Profile;
  config: Config;
  /** The credential to use upstream: the client's, or the server default. Absent only when none is needed. */
  apiKey: string | undefined;
  /** The provider's base URL, without a trailing slash. */
  baseUrl: string;
  /** The upstream key of any provider for this request's credential (see ProviderAdapter.keysPerProvider). */
  upstreamKeys?: UpstreamKeys;
}

export interface Endpoint {
  /** Recorded as the interaction's operation: `chat`, `responses`, `embeddings`, `models`, … */
  operation: string;
  method: 'GET' | 'POST';
  /** Matches the path after `/v1/<provider>[/<profile>]`; returns its parameters, or undefined. */
  match(path: string): Record<string, string> | undefined;
  prepare(input: PrepareInput): UpstreamCall | Promise<UpstreamCall>;
}

export interface ProviderAdapter {
  /** The route segment: `/v1/<id>/…`. */
  id: string;
  displayName: string;
  dialect: Dialect;
  endpoints: readonly Endpoint[];
  /** The upstream base URL, or undefined when the provider is not enabled. */
  baseUrl(config: Config): string | undefined;
  /** How to enable the provider, said when it is called while disabled. */
  howToEnable: string;
  /** The key the client sent, read the way this provider's clients send it. */
  clientKey(request: SluiceRequest): string | undefined;
  /** The server's default key (SLUICE_<P>_API_KEY). */
  defaultKey(config: Config): string | undefined;
  /** Whether a call without any key is refused with 401 before going upstream. */
  keyRequired(config: Config): boolean;
  /**
   * Set by a route in front of several providers (the model router): the caller's credential is
   * checked for the route, and the endpoint chooses each provider's key through `upstreamKeys`.
   */
  keysPerProvider?: boolean;
}

/** Matches a fixed path exactly (after an optional trailing slash). */
export function exactPath(expected: string): Endpoint['match'] {
  return (path) => (path === expected || path === `${expected}/` ? {} : undefined);
}
