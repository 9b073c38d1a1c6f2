import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalServer, type LocalServer } from '../../bin/local/server.ts';
import type { Interaction } from '../../lib/interactions/interaction.ts';
import { getRuntime } from '../../lib/runtime.ts';

export interface TestGateway {
  url: string;
  server: LocalServer;
  /** SLUICE_DATA_DIR: the admin token and the local secret file are here. */
  dataDir: string;
  /** Records of a profile, oldest first. */
  records(profileId?: string): Promise<Interaction[]>;
  /** Waits until a profile has at least `count` records (they are written just after the response ends). */
  waitForRecords(count: number, profileId?: string, timeoutMs?: number): Promise<Interaction[]>;
  close(): Promise<void>;
}

/**
 * The local server as `npm start` runs it (the production handlers, the awslambda shim, the
 * embedded DynamoDB in memory) on an ephemeral port, with the given environment.
 */
export async function startGateway(env: Record<string, string | undefined> = {}): Promise<TestGateway> {
  const scratch = mkdtempSync(join(tmpdir(), 'sluice-test-'));
  const server = await startLocalServer({
    // EMF metrics lines would crowd the test output; the metrics tests turn them on.
    env: { PORT: '0', SLUICE_LOG_LEVEL: 'ERROR', SLUICE_DATA_DIR: scratch, SLUICE_METRICS_ENABLED: 'false', ...env },
    inMemoryStorage: true,
  });
  // Waiting for idle first: a response reaches the client before its handler writes the record.
  const records = async (profileId = 'default') => {
    await server.idle();
    return (await getRuntime().interactions.list(profileId, { limit: 10_000 })).reverse();
  };
  return {
    url: server.url,
    server,
    dataDir: server.config.server.dataDir,
    records,
    async waitForRecords(count, profileId = 'default', timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = await records(profileId);
        if (found.length >= count || Date.now() > deadline) return found;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    async close() {
      await server.close();
      rmSync(scratch, { recursive: true, force: true });
    },
  };
}
