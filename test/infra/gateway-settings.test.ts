import { describe, expect, it } from 'vitest';
import { readGatewaySettings, sizingFor } from '../../infra/gateway-settings.ts';

const read = (context: Record<string, unknown>) => readGatewaySettings((key) => context[key]);

describe('gateway settings from CDK context', () => {
  it('has defaults that deploy every function with IAM-signed Bedrock', () => {
    expect(read({})).toEqual({
      providers: 'all',
      sizing: { memoryMiB: 1024, timeoutSeconds: 900, reservedConcurrency: undefined },
      functionOverrides: {},
      logRetentionDays: 30,
      logLevel: 'INFO',
      bedrock: { iamAuth: true, region: undefined, baseUrl: undefined },
      vertexAi: undefined,
      azure: { baseUrl: undefined, apiVersion: undefined, responsesApiVersion: undefined, entraId: undefined },
      environment: {},
      alarmEmail: undefined,
      errorRateAlarmPercent: 5,
    });
  });

  it('reads `-c key=value` strings as cdk.json values', () => {
    const fromCli = read({
      'sluice:providers': 'openai, anthropic',
      'sluice:memoryMiB': '512',
      'sluice:timeoutSeconds': '60',
      'sluice:reservedConcurrency': '0',
      'sluice:bedrockIamAuth': 'false',
      'sluice:functionOverrides': '{"openai":{"timeoutSeconds":30}}',
      'sluice:environment': '{"SLUICE_OPENROUTER_TITLE":"x"}',
    });
    const fromJson = read({
      'sluice:providers': ['openai', 'anthropic'],
      'sluice:memoryMiB': 512,
      'sluice:timeoutSeconds': 60,
      'sluice:reservedConcurrency': 0,
      'sluice:bedrockIamAuth': false,
      'sluice:functionOverrides': { openai: { timeoutSeconds: 30 } },
      'sluice:environment': { SLUICE_OPENROUTER_TITLE: 'x' },
    });
    expect(fromCli).toEqual(fromJson);
    expect(fromCli.providers).toEqual(['openai', 'anthropic']);
    expect(sizingFor(fromCli, 'openai')).toEqual({ memoryMiB: 512, timeoutSeconds: 30, reservedConcurrency: 0 });
    expect(sizingFor(fromCli, 'anthropic')).toEqual({ memoryMiB: 512, timeoutSeconds: 60, reservedConcurrency: 0 });
  });

  it('enables Vertex AI when a project is given, in us-central1 unless told otherwise', () => {
    expect(read({ 'sluice:vertexProject': 'p' }).vertexAi).toEqual({ project: 'p', location: 'us-central1' });
    expect(read({ 'sluice:vertexProject': 'p', 'sluice:vertexLocation': 'europe-west4' }).vertexAi).toEqual({
      project: 'p',
      location: 'europe-west4',
    });
  });

  it.each([
    [{ 'sluice:timeoutSeconds': '901' }, /sluice:timeoutSeconds: .*900/],
    [{ 'sluice:memoryMiB': 'lots' }, /sluice:memoryMiB: /],
    [{ 'sluice:logRetentionDays': 10 }, /sluice:logRetentionDays: expected one of 1, 3, 5, 7, 14, 30/],
    [{ 'sluice:providers': 'OpenAI' }, /sluice:providers/],
    [{ 'sluice:bedrockIamAuth': 'maybe' }, /sluice:bedrockIamAuth/],
    [{ 'sluice:bedrockRegion': 'mars' }, /sluice:bedrockRegion: expected an AWS region/],
    [{ 'sluice:azureBaseUrl': 'http://r.openai.azure.com' }, /sluice:azureBaseUrl/],
    [{ 'sluice:alarmEmail': 'ops' }, /sluice:alarmEmail/],
    [{ 'sluice:functionOverrides': { openai: { memory: 1 } } }, /sluice:functionOverrides\.openai/],
    [{ 'sluice:environment': { PATH: '/bin' } }, /expected a SLUICE_\* variable name/],
    [{ 'sluice:environment': { SLUICE_OPENAI_API_KEY: 'sk-123' } }, /store them in Secrets Manager/],
    [{ 'sluice:environment': { SLUICE_PROFILES_TABLE: 't' } }, /sluice:environment.SLUICE_PROFILES_TABLE: the stack sets SLUICE_PROFILES_TABLE itself/],
  ])('rejects %j, naming the key', (context, message) => {
    expect(() => read(context)).toThrow(message);
  });

  it('never echoes a rejected value, which could be a key', () => {
    expect(() => read({ 'sluice:environment': { SLUICE_OPENAI_API_KEY: 'sk-secret-value' } })).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('sk-secret-value') }),
    );
  });
});
