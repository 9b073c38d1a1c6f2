import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import { ESM_REQUIRE_BANNER } from './esm-banner.ts';
import { BUNDLE_ALIASES } from './bundle-aliases.ts';

/**
 * Packages Sluice imports only dynamically, on paths that not every request takes or only after
 * the response: the price catalog and the X-Ray tracer (after the response), Microsoft Entra and
 * Google credentials (keyless modes), the Bedrock control-plane client (`GET /models`). They stay
 * out of the handler bundle, which every cold start parses, and are bundled each on its own beside
 * it, as `node_modules/<package>/index.mjs`, where Node resolves the dynamic import at run time.
 */
export const SIDE_PACKAGES = [
  '@pydantic/genai-prices',
  '@azure/identity',
  'google-auth-library',
  '@aws-sdk/client-bedrock',
  '@aws-lambda-powertools/tracer',
] as const;

/** Bundles, into `outputDir`, each side package the handler bundle there imports. */
export function bundleSidePackages(projectRoot: string, outputDir: string): string[] {
  const handler = readFileSync(join(outputDir, 'index.mjs'), 'utf8');
  const used = SIDE_PACKAGES.filter((name) => handler.includes(`"${name}"`) || handler.includes(`'${name}'`));
  for (const name of used) {
    const directory = join(outputDir, 'node_modules', name);
    mkdirSync(directory, { recursive: true });
    buildSync({
      stdin: { contents: `export * from '${name}';`, resolveDir: projectRoot, loader: 'js' },
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node24',
      mainFields: ['module', 'main'],
      minify: true,
      banner: { js: ESM_REQUIRE_BANNER },
      alias: BUNDLE_ALIASES,
      outfile: join(directory, 'index.mjs'),
      logLevel: 'error',
    });
    writeFileSync(join(directory, 'package.json'), `${JSON.stringify({ name, type: 'module', exports: './index.mjs' })}\n`);
  }
  return used;
}

// `node infra/side-packages.ts <projectRoot> <outputDir>`: run by the bundling hook.
if (process.argv[1] && import.meta.filename === process.argv[1]) {
  const [projectRoot, outputDir] = process.argv.slice(2);
  if (!projectRoot || !outputDir || !existsSync(outputDir)) {
    process.stderr.write('usage: node infra/side-packages.ts <projectRoot> <outputDir>\n');
    process.exit(2);
  }
  bundleSidePackages(projectRoot, outputDir);
}
