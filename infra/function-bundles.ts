import { statSync } from 'node:fs';
import { join } from 'node:path';
import type { CfnElement, Stack } from 'aws-cdk-lib';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { BUNDLE_FILE } from './bundling.ts';
import type { GatewayFunction } from './gateway-function.ts';

export interface FunctionBundle {
  name: string;
  /** The asset directory holding the bundle and its source map. */
  directory: string;
  file: string;
  bytes: number;
  sourceMapBytes: number;
}

/** The bundles a synthesized stack deploys, one per function, read from the cloud assembly. */
export function functionBundles(
  stack: Stack,
  functions: readonly GatewayFunction[],
  assembly: CloudAssembly,
): FunctionBundle[] {
  const template = assembly.getStackByName(stack.stackName).template as {
    Resources: Record<string, { Properties?: { Code?: { S3Key?: string } } }>;
  };
  return functions.map((fn) => {
    const logicalId = stack.resolve(stack.getLogicalId(fn.function.node.defaultChild as CfnElement)) as string;
    const key = template.Resources[logicalId]?.Properties?.Code?.S3Key;
    if (!key?.endsWith('.zip')) throw new Error(`no bundled asset for ${fn.spec.name} (was bundling skipped?)`);
    const directory = join(assembly.directory, `asset.${key.slice(0, -'.zip'.length)}`);
    const file = join(directory, BUNDLE_FILE);
    return {
      name: fn.spec.name,
      directory,
      file,
      bytes: statSync(file).size,
      sourceMapBytes: statSync(`${file}.map`).size,
    };
  });
}

export function formatBundleSizes(bundles: readonly FunctionBundle[]): string {
  const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
  const width = Math.max(8, ...bundles.map((b) => b.name.length));
  const lines = [`${'function'.padEnd(width)}  ${'bundle'.padStart(12)}  ${'source map'.padStart(12)}`];
  for (const b of bundles) lines.push(`${b.name.padEnd(width)}  ${kib(b.bytes).padStart(12)}  ${kib(b.sourceMapBytes).padStart(12)}`);
  return lines.join('\n');
}
