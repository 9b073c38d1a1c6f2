import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';

vi.setConfig({ testTimeout: 120_000 });

const root = join(import.meta.dirname, '..', '..');
const dirs: string[] = [];

/** Runs the app as the cdk CLI does (`node bin/cdk-app.ts` with CDK_OUTDIR and CDK_CONTEXT_JSON). */
function runApp(context: Record<string, unknown>) {
  const outdir = mkdtempSync(join(tmpdir(), 'sluice-app-'));
  dirs.push(outdir);
  const result = spawnSync(process.execPath, ['bin/cdk-app.ts'], {
    cwd: root,
    encoding: 'utf8',
    env: {
      ...process.env,
      CDK_OUTDIR: outdir,
      CDK_CONTEXT_JSON: JSON.stringify({ 'aws:cdk:bundling-stacks': [], ...context }),
    },
  });
  return { ...result, outdir };
}

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('bin/cdk-app.ts', () => {
  it('synthesizes the Sluice stack, offline, with the AWS Solutions checks passing', () => {
    const { status, stderr, outdir } = runApp({});
    expect(stderr).not.toMatch(/AwsSolutions-/);
    expect(status).toBe(0);
    const template = JSON.parse(readFileSync(join(outdir, 'Sluice.template.json'), 'utf8')) as { Outputs: Record<string, unknown> };
    expect(Object.keys(template.Outputs)).toContain('OpenaiBaseUrl');
  });

  it('names the stack from sluice:stackName', () => {
    const { status, outdir } = runApp({ 'sluice:stackName': 'SluiceStaging' });
    expect(status).toBe(0);
    expect(existsSync(join(outdir, 'SluiceStaging.template.json'))).toBe(true);
  });

  it('stops with the offending key on a bad setting', () => {
    const { status, stderr } = runApp({ 'sluice:timeoutSeconds': 5 });
    expect(status).toBe(1);
    expect(stderr).toMatch(/^sluice: Invalid Sluice context: sluice:timeoutSeconds: /);
  });
});
