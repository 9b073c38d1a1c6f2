// What the function bundles get for `node:http` (see infra/bundle-aliases.ts): the built-in
// module itself, taken without an ES-module import. Node 24 builds an ES-module facade of a
// built-in by reading each of its exports, and node:http's WebSocket, CloseEvent and MessageEvent
// exports load undici when read: 25–45 ms of every cold start for classes Sluice never uses.
module.exports = process.getBuiltinModule('node:http');
