const nodeHttpBuiltin = new URL('./node-http-builtin.cjs', import.meta.url).pathname;
const lambdaCredentialProvider = new URL('./lambda-credential-provider.ts', import.meta.url).pathname;

/**
 * esbuild aliases the function bundles (and the side packages beside them) are built with:
 * - every import of node:http (Sluice's own and its dependencies', as `http` or `node:http`)
 *   takes the built-in through infra/node-http-builtin.cjs instead of an ES-module import, which
 *   costs each cold start 25–45 ms on Node 24 (why: that file);
 * - the AWS SDK's default credential chain is the environment's credentials alone, where Lambda
 *   puts the execution role's (why: infra/lambda-credential-provider.ts).
 */
export const BUNDLE_ALIASES: Readonly<Record<string, string>> = {
  'node:http': nodeHttpBuiltin,
  http: nodeHttpBuiltin,
  '@aws-sdk/credential-provider-node': lambdaCredentialProvider,
};
