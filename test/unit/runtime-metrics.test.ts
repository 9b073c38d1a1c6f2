import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../lib/config/index.ts';
import type { RecordWriter } from '../../lib/interactions/record-writer.ts';
import { createRuntime, type RuntimeServices } from '../../lib/runtime.ts';
import { sampleRecord } from '../support/records.ts';
import { StdoutCapture } from '../support/stdout-capture.ts';

let capture: StdoutCapture;
beforeEach(() => {
  capture = new StdoutCapture().start();
});
afterEach(() => capture.stop());

function servicesWith(recordWriter: RecordWriter): RuntimeServices {
  return {
    providerKeys: { get: vi.fn() } as unknown as RuntimeServices['providerKeys'],
    signingKey: { current: vi.fn() } as unknown as RuntimeServices['signingKey'],
    recordWriter,
  };
}

const config = loadConfig({ SLUICE_METRICS_ENABLED: 'true', AWS_REGION: 'us-east-1' });
const record = () => sampleRecord({ createdAt: new Date().toISOString() });

describe('request metrics, in the handler or beside the record', () => {
  it('are published by the handler when the record writer does not publish them', async () => {
    const runtime = createRuntime(config, servicesWith({ write: async () => true }));
    await runtime.telemetry.requestEnded(record(), undefined);
    expect(capture.emf()).toHaveLength(1);
    runtime.db.destroy();
  });

  it('are left to a record writer that publishes them (the local server\'s worker), never published twice', async () => {
    const runtime = createRuntime(config, servicesWith({ write: async () => true, publishesRequestMetrics: true }));
    await runtime.telemetry.requestEnded(record(), undefined);
    expect(capture.emf()).toEqual([]);
    runtime.db.destroy();
  });
});
