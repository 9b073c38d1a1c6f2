import { OutputFormat, SourceMapMode, type BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';

/**
 * esbuild's output is ESM; a CommonJS dependency that calls `require` (for a Node built-in, say)
 * needs a real `require` in module scope, which ESM does not have.
 */
export const ESM_REQUIRE_BANNER =
  "import { createRequire as __sluiceCreateRequire } from 'node:module'; const require = __sluiceCreateRequire(import.meta.url);";

/**
 * How every Sluice function is bundled: one minified ESM file (`index.mjs`) for Node 24, with a
 * linked source map, built by the esbuild in node_modules (never in Docker). The AWS SDK is bundled
 * too rather than taken from the runtime, so the deployed code runs the versions the tests ran.
 */
export const functionBundling: BundlingOptions = {
  format: OutputFormat.ESM,
  target: 'node24',
  mainFields: ['module', 'main'],
  banner: ESM_REQUIRE_BANNER,
  minify: true,
  sourceMap: true,
  sourceMapMode: SourceMapMode.DEFAULT,
  sourcesContent: false,
  externalModules: [],
  forceDockerBundling: false,
};

/** The bundle's file name inside the function's asset. */
export const BUNDLE_FILE = 'index.mjs';
