import type { Config } from '../../config/index.ts';
import type { SluiceRequest } from '../../http/request.ts';
import type { Profile } from '../../profiles/profile.ts';
import type { Endpoint } from '../../providers/types.ts';
import type { UpstreamClient } from '../../upstream/upstream-client.ts';
import type { NativeTranslator } from '../translate/translator.ts';

export interface NativeCallInput {
  config: Config;
  baseUrl: string;
  apiKey: string | undefined;
  /** The provider's own model id. */
  model: string;
  stream: boolean;
  /** The translated body (SigV4 signs it). */
  body: Buffer;
  profile: Profile;
  /** The client's request (its id and address; its headers are not sent to translated providers). */
  request: SluiceRequest;
}

/** Where one native call goes and how it authenticates. */
export interface NativeCall {
  url: string;
  headers: Record<string, string>;
}

export interface ListInput {
  config: Config;
  baseUrl: string;
  apiKey: string | undefined;
  upstream: UpstreamClient;
  signal: AbortSignal;
  profile: Profile;
  request: SluiceRequest;
}

export interface ListedModel {
  /** The provider's own model id. */
  id: string;
  /** Unix seconds, when the provider says. */
  created?: number;
}

/** Whether a provider is on, its server key, and whether a call may go without any key. */
export interface ProviderAccess {
  id: string;
  displayName: string;
  howToEnable: string;
  baseUrl(config: Config): string | undefined;
  defaultKey(config: Config): string | undefined;
  keyRequired(config: Config): boolean;
  listModels(input: ListInput): Promise<ListedModel[]>;
}

/**
 * The upstream side of a provider the router translates for: where its native chat call goes and
 * with which credential headers. The Gemini and Bedrock ones (lib/router/targets/gemini.ts,
 * bedrock.ts) go through their native adapters, Vertex AI tokens and SigV4 included; another
 * adapter (a test's token source or signer) or another upstream can be passed in their place.
 */
export interface NativeUpstream extends Omit<ProviderAccess, 'id' | 'displayName'> {
  call(input: NativeCallInput): Promise<NativeCall>;
}

/** A provider with its own API: requests and answers are translated. */
export interface TranslatedTarget extends ProviderAccess {
  kind: 'translated';
  translator: NativeTranslator;
  call(input: NativeCallInput): Promise<NativeCall>;
}

/** An OpenAI-style provider: Chat Completions (and for some, Responses) go as they are. */
export interface OpenAiStyleTarget extends ProviderAccess {
  kind: 'openai-style';
  chat: Endpoint;
  /** Present for providers that serve the Responses API natively (OpenAI, Azure). */
  responses?: Endpoint;
  /** Its `/models`. */
  models: Endpoint;
}

export type RouterTarget = TranslatedTarget | OpenAiStyleTarget;
