import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, providerSetting, settingSchemas } from '../../lib/config/index.ts';

describe('loadConfig', () => {
  it('has the documented defaults', () => {
    const config = loadConfig({});
    expect(config.server).toEqual({ host: '127.0.0.1', port: 9000, dataDir: '.sluice' });
    expect(config.limits.maxBodyBytes).toBe(5 * 1024 * 1024);
    expect(config.storage.tables).toEqual({
      profiles: 'sluice-profiles',
      virtualKeys: 'sluice-virtual-keys',
      interactions: 'sluice-interactions',
      usageCounters: 'sluice-usage-counters',
    });
    expect(config.observability).toEqual({ metricsEnabled: true, tracing: false });
    expect(config.providers).toEqual({});
  });

  it('traces only inside Lambda, unless switched off or under SAM local', () => {
    expect(loadConfig({ AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x' }).observability.tracing).toBe(true);
    expect(loadConfig({ AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x', POWERTOOLS_TRACE_ENABLED: 'false' }).observability.tracing).toBe(false);
    expect(loadConfig({ AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x', AWS_SAM_LOCAL: 'true' }).observability.tracing).toBe(false);
    expect(loadConfig({}).observability.tracing).toBe(false);
  });

  it('reads the usage counters table and the metrics switch', () => {
    const config = loadConfig({ SLUICE_USAGE_COUNTERS_TABLE: 'team-counters', SLUICE_METRICS_ENABLED: 'false' });
    expect(config.storage.tables.usageCounters).toBe('team-counters');
    expect(config.observability.metricsEnabled).toBe(false);
  });

  it('reads provider base URLs and keys for any provider name', () => {
    const config = loadConfig({
      SLUICE_OPENAI_BASE_URL: 'http://127.0.0.1:1234/v1/',
      SLUICE_OPENAI_API_KEY: 'sk-x',
      SLUICE_SOME_NEW_ONE_BASE_URL: 'https://example.test',
    });
    expect(config.providers.openai).toEqual({ baseUrl: 'http://127.0.0.1:1234/v1', apiKey: 'sk-x' });
    expect(config.providers['some-new-one']).toEqual({ baseUrl: 'https://example.test' });
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['SLUICE_MAX_BODY_BYTES', '-1'],
    ['SLUICE_UPSTREAM_IDLE_TIMEOUT_MS', 'soon'],
    ['SLUICE_LOG_LEVEL', 'LOUD'],
    ['SLUICE_DYNAMODB_ENDPOINT', 'not a url'],
    ['SLUICE_OPENAI_BASE_URL', 'ftp://example.test'],
    ['SLUICE_METRICS_ENABLED', 'sometimes'],
  ])('fails at start with a message naming %s when it is %j', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(name));
  });

  it('validates provider-specific settings with the variable named', () => {
    const config = loadConfig({ SLUICE_FLAG_ENABLED: 'maybe' });
    expect(() => providerSetting(config, 'SLUICE_FLAG_ENABLED', settingSchemas.booleanFlag.optional())).toThrow(
      /SLUICE_FLAG_ENABLED/,
    );
    const ok = loadConfig({ SLUICE_FLAG_ENABLED: 'true' });
    expect(providerSetting(ok, 'SLUICE_FLAG_ENABLED', settingSchemas.booleanFlag.optional())).toBe(true);
  });
});
