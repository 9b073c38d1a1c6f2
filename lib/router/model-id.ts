import { SluiceError } from '../errors/sluice-error.ts';
import type { JsonObject } from '../providers/shared/json-body.ts';

/** A provider-qualified model: `anthropic:claude-sonnet-4-5` → provider `anthropic`, model `claude-sonnet-4-5`. */
export interface ModelRef {
  /** As the client wrote it. */
  id: string;
  provider: string;
  /** The provider's own model id; it may itself contain `:` and `/`. */
  model: string;
}

export const FALLBACK_MODELS_HEADER = 'x-sluice-fallback-models';
/** More would mean minutes of retries for one request. */
export const MAX_MODELS = 5;

/** Where a client finds the model ids it can use: the router's `/models` beside the called path. */
export function modelsUrlHint(path: string): string {
  return path.replace(/\/(chat\/completions|responses)\/?$/, '/models');
}

/** Splits `provider:model` at the first colon; a missing or unknown provider says where valid ids are. */
export function parseModelId(id: string, providerIds: readonly string[], modelsPath: string): ModelRef {
  const colon = id.indexOf(':');
  const where = `GET ${modelsPath} lists the models you can use.`;
  if (colon <= 0) {
    throw new SluiceError(
      'bad_request',
      `The model router needs a provider-qualified model id such as openai:gpt-4o-mini or anthropic:claude-sonnet-4-5, not '${id}'. ${where}`,
      { param: 'model', code: 'model_not_qualified' },
    );
  }
  const provider = id.slice(0, colon);
  const model = id.slice(colon + 1);
  if (!providerIds.includes(provider)) {
    throw new SluiceError(
      'not_found',
      `The model '${id}' names an unknown provider '${provider}'. Providers: ${providerIds.join(', ')}. ${where}`,
      { param: 'model', code: 'model_not_found' },
    );
  }
  if (model.trim() === '') {
    throw new SluiceError('bad_request', `The model id '${id}' names no model after '${provider}:'. ${where}`, {
      param: 'model',
      code: 'model_not_qualified',
    });
  }
  return { id, provider, model };
}

function stringList(value: unknown, param: string): string[] {
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string' || item === '')) {
    throw new SluiceError('bad_request', `Invalid value for '${param}': expected an array of model ids.`, {
      param,
      code: 'invalid_value',
    });
  }
  return value as string[];
}

/**
 * The models to try, in order: `model`, then the body's `models` (or, when the body has none, the
 * comma-separated `X-Sluice-Fallback-Models` header). Repeats are tried once.
 */
export function requestedModelIds(json: JsonObject, headers: Record<string, string>): string[] {
  const ids: string[] = [];
  if (json.model !== undefined && json.model !== null) {
    if (typeof json.model !== 'string' || json.model === '') {
      throw new SluiceError('bad_request', "Invalid value for 'model': must be a non-empty string.", {
        param: 'model',
        code: 'invalid_value',
      });
    }
    ids.push(json.model);
  }
  if (json.models !== undefined && json.models !== null) {
    ids.push(...stringList(json.models, 'models'));
  } else if (headers[FALLBACK_MODELS_HEADER]) {
    ids.push(
      ...headers[FALLBACK_MODELS_HEADER]
        .split(',')
        .map((id) => id.trim())
        .filter((id) => id !== ''),
    );
  }
  const unique = [...new Set(ids)];
  if (unique.length === 0) {
    throw new SluiceError('bad_request', "Missing required parameter: 'model'.", { param: 'model', code: 'missing_required_parameter' });
  }
  if (unique.length > MAX_MODELS) {
    throw new SluiceError('bad_request', `A request may name at most ${MAX_MODELS} models; it names ${unique.length}.`, {
      param: 'models',
      code: 'too_many_models',
    });
  }
  return unique;
}
