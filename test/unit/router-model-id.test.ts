import { describe, expect, it } from 'vitest';
import type { SluiceError } from '../../lib/errors/sluice-error.ts';
import { modelsUrlHint, parseModelId, requestedModelIds } from '../../lib/router/model-id.ts';

const providers = ['openai', 'anthropic', 'bedrock', 'openrouter'];

describe('provider-qualified model ids', () => {
  it('splits at the first colon, so the model part keeps its colons and slashes', () => {
    expect(parseModelId('bedrock:amazon.nova-pro-v1:0', providers, '/m')).toEqual({ id: 'bedrock:amazon.nova-pro-v1:0', provider: 'bedrock', model: 'amazon.nova-pro-v1:0' });
    expect(parseModelId('openrouter:meta-llama/llama-3.1-8b:free', providers, '/m').model).toBe('meta-llama/llama-3.1-8b:free');
    expect(parseModelId('bedrock:arn:aws:bedrock:us-east-1:123:application-inference-profile/abc', providers, '/m').model).toBe(
      'arn:aws:bedrock:us-east-1:123:application-inference-profile/abc',
    );
  });

  it('refuses an unqualified id (400) and an unknown provider (404), saying where valid ids are', () => {
    const unqualified = (() => {
      try {
        parseModelId('gpt-4o', providers, 'GET /v1/model-router/models');
      } catch (error) {
        return error as SluiceError;
      }
    })()!;
    expect(unqualified.status).toBe(400);
    expect(unqualified.message).toContain('/v1/model-router/models');
    expect(() => parseModelId('mystery:model', providers, '/m')).toThrow(expect.objectContaining({ status: 404, code: 'model_not_found' }));
    expect(() => parseModelId(':model', providers, '/m')).toThrow(expect.objectContaining({ status: 400 }));
    expect(() => parseModelId('openai:', providers, '/m')).toThrow(expect.objectContaining({ status: 400 }));
  });

  it('names the models endpoint beside the called path, profile included', () => {
    expect(modelsUrlHint('/v1/model-router/team-a/chat/completions')).toBe('/v1/model-router/team-a/models');
    expect(modelsUrlHint('/v1/model-router/responses')).toBe('/v1/model-router/models');
  });

  it('takes fallbacks from the body, else from the header, in order and once each', () => {
    expect(requestedModelIds({ model: 'a:1', models: ['b:2', 'a:1', 'c:3'] }, { 'x-sluice-fallback-models': 'd:4' })).toEqual(['a:1', 'b:2', 'c:3']);
    expect(requestedModelIds({ model: 'a:1' }, { 'x-sluice-fallback-models': ' b:2, ,c:3 ' })).toEqual(['a:1', 'b:2', 'c:3']);
    expect(requestedModelIds({ models: ['b:2'] }, {})).toEqual(['b:2']);
    expect(() => requestedModelIds({}, {})).toThrow(expect.objectContaining({ status: 400, param: 'model' }));
    expect(() => requestedModelIds({ model: 'a:1', models: 'b:2' }, {})).toThrow(expect.objectContaining({ param: 'models' }));
    expect(() => requestedModelIds({ model: 'a:1', models: ['b:2', 'c:3', 'd:4', 'e:5', 'f:6'] }, {})).toThrow(expect.objectContaining({ code: 'too_many_models' }));
  });
});
