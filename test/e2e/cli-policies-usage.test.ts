import OpenAI from 'openai';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeServer } from '../fakes/fake-server.ts';
import { openAiChat, startFakeOpenAi } from '../fakes/openai-upstream.ts';
import { cliJson, runCli } from '../support/cli.ts';
import { startGateway, type TestGateway } from '../support/gateway.ts';

let fake: FakeServer;
let gateway: TestGateway;
let cliEnv: Record<string, string>;
const scratch = mkdtempSync(join(tmpdir(), 'sluice-cli-rules-'));

const tools = [
  { type: 'function' as const, function: { name: 'read_page', parameters: { type: 'object', properties: {} } } },
  { type: 'function' as const, function: { name: 'send_email', parameters: { type: 'object', properties: { to: { type: 'string' } } } } },
];

beforeAll(async () => {
  fake = await startFakeOpenAi();
  gateway = await startGateway({ SLUICE_OPENAI_BASE_URL: `${fake.url}/v1` });
  cliEnv = { SLUICE_ADMIN_URL: gateway.url, SLUICE_DATA_DIR: gateway.dataDir };
});

afterAll(async () => {
  await gateway?.close();
  await fake?.close();
});

describe('policies and limits through the CLI', () => {
  it('refuses a rules file the admin API finds invalid, naming the field', async () => {
    const file = join(scratch, 'bad.json');
    writeFileSync(file, JSON.stringify({ toolInvocationPolicies: [{ id: 'p', toolName: 'x', conditions: [], action: 'sometimes' }] }));
    const result = await runCli(['profiles', 'create', 'bad', '--name', 'Bad', '--rules-file', file], { env: cliEnv });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/toolInvocationPolicies/);
  });

  it('sets tool policies from a rules file, and the proxy enforces them', async () => {
    const file = join(scratch, 'rules.json');
    writeFileSync(
      file,
      JSON.stringify({
        trustedDataPolicies: [
          { id: 'intranet', toolName: 'read_page', conditions: [{ key: 'url', operator: 'startsWith', value: 'https://intranet.example/' }], action: 'mark_as_trusted' },
        ],
        toolInvocationPolicies: [{ id: 'never-mail', toolName: 'send_email', conditions: [], action: 'block_always' }],
        limits: [{ id: 'daily-tokens', metric: 'tokens', window: 'day', max: 1000000 }],
      }),
    );
    await cliJson(['profiles', 'create', 'agents', '--name', 'Agents', '--rules-file', file], { env: cliEnv });
    fake.use(openAiChat({ toolCalls: [{ id: 'call_1', name: 'send_email', arguments: '{"to":"a@b.example"}' }] }));
    const client = new OpenAI({ apiKey: 'sk-client', baseURL: `${gateway.url}/v1/openai/agents`, maxRetries: 0 });
    const completion = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'mail it' }], tools });
    expect(completion.choices[0]!.message.content).toMatch(/never-mail always blocks it/);

    const listed = await runCli(['profiles', 'tools', 'agents'], { env: cliEnv });
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/send_email\s+1/);
    expect(listed.stdout).toMatch(/read_page\s+1/);
  });

  it('replaces only the lists a rules file names on update', async () => {
    const file = join(scratch, 'limits.json');
    writeFileSync(file, JSON.stringify({ limits: [{ id: 'hourly-cost', metric: 'cost_usd', window: 'hour', max: 5 }] }));
    const updated = await cliJson<{ limits: unknown[]; toolInvocationPolicies: unknown[] }>(
      ['profiles', 'update', 'agents', '--rules-file', file],
      { env: cliEnv },
    );
    expect(updated.limits).toEqual([{ id: 'hourly-cost', metric: 'cost_usd', window: 'hour', max: 5 }]);
    expect(updated.toolInvocationPolicies).toHaveLength(1);
  });
});

describe('usage summary through the CLI', () => {
  it('sums tokens and cost by day, profile and model', async () => {
    fake.use(openAiChat());
    const client = new OpenAI({ apiKey: 'sk-client', baseURL: `${gateway.url}/v1/openai`, maxRetries: 0 });
    for (let i = 0; i < 3; i++) {
      await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] });
    }
    await gateway.records();
    const summary = await cliJson<{ rows: Array<Record<string, unknown>>; total: { requests: number; inputTokens: number; costUsd: number } }>(
      ['usage', 'summary', '--profile', 'default', '--since', '1h'],
      { env: cliEnv },
    );
    const row = summary.rows.find((r) => r.model === 'gpt-4o-mini')!;
    expect(row).toMatchObject({ profileId: 'default', requests: 3, inputTokens: 36, outputTokens: 21 });
    expect(row.costUsd as number).toBeGreaterThan(0);
    expect(summary.total.requests).toBe(3);

    const table = await runCli(['usage', 'summary', '--since', '1h'], { env: cliEnv });
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/DAY\s+PROFILE\s+MODEL\s+REQUESTS/);
    expect(table.stdout).toMatch(/Total: \d+ requests/);
  });
});
