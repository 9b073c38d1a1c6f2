const builtin = new URL('./node-http-builtin.cjs', import.meta.url).pathname;

/**
 * esbuild aliases that make every import of node:http in a bundle (Sluice's own and its
 * dependencies', as `http` or `node:http`) take the built-in through infra/node-http-builtin.cjs
 * instead of an ES-module import, which costs each cold start 25–45 ms on Node 24 (why: that file).
 */
export const NODE_HTTP_ALIASES: Readonly<Record<string, string>> = { 'node:http': builtin, http: builtin };
