/**
 * esbuild's output is ESM; a CommonJS dependency that calls `require` (for a Node built-in, say)
 * needs a real `require` in module scope, which ESM does not have.
 */
export const ESM_REQUIRE_BANNER =
  "import { createRequire as __sluiceCreateRequire } from 'node:module'; const require = __sluiceCreateRequire(import.meta.url);";

