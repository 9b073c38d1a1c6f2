import { OutputFormat, SourceMapMode, type BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import { ESM_REQUIRE_BANNER } from './esm-banner.ts';
import { BUNDLE_ALIASES } from './bundle-aliases.ts';
import { SIDE_PACKAGES } from './side-packages.ts';

export { ESM_REQUIRE_BANNER };

const SIDE_PACKAGES_SCRIPT = new URL('./side-packages.ts', import.meta.url).pathname;

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
  // Heavy packages used only on some paths are bundled beside the handler (infra/side-packages.ts).
  externalModules: [...SIDE_PACKAGES],
  esbuildArgs: { '--alias': Object.entries(BUNDLE_ALIASES).map(([name, path]) => `${name}=${path}`) },
  commandHooks: {
    beforeBundling: () => [],
    beforeInstall: () => [],
    afterBundling: (inputDir: string, outputDir: string) => [
      `"${process.execPath}" "${SIDE_PACKAGES_SCRIPT}" "${inputDir}" "${outputDir}"`,
    ],
  },
  forceDockerBundling: false,
};

/** The bundle's file name inside the function's asset. */
export const BUNDLE_FILE = 'index.mjs';
