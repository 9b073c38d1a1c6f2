#!/usr/bin/env node
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { formatBundleSizes, functionBundles } from '../infra/function-bundles.ts';
import { GatewayStack } from '../infra/gateway-stack.ts';

/**
 * Builds every function's bundle exactly as `cdk deploy` does (the stack's own esbuild settings)
 * and prints the sizes. `node bench/bundle-sizes.ts [--json]`.
 */
const outdir = mkdtempSync(join(tmpdir(), 'sluice-bundles-'));
try {
  const app = new App({ outdir });
  const stack = new GatewayStack(app, 'Sluice');
  const bundles = functionBundles(stack, stack.functions, app.synth());
  if (process.argv.includes('--json')) {
    process.stdout.write(`${JSON.stringify(bundles.map(({ name, bytes, sourceMapBytes }) => ({ name, bytes, sourceMapBytes })))}\n`);
  } else {
    process.stdout.write(`Function bundles (minified ESM, as deployed):\n${formatBundleSizes(bundles)}\n`);
  }
} finally {
  rmSync(outdir, { recursive: true, force: true });
}
