import http from 'node:http';

/**
 * The floor the benchmark measures gateways against: the least a Node proxy can do, relaying the
 * request and the answer as they come over keep-alive connections, with no authentication,
 * parsing, policy, metrics or record. What it adds is what Node's HTTP on both sides costs on
 * this machine; what a gateway adds beyond it is the gateway's own work.
 * BARE_UPSTREAM_URL names the upstream; prints its own URL on the first line.
 */
const upstream = new URL(process.env.BARE_UPSTREAM_URL ?? '');
const agent = new http.Agent({ keepAlive: true, maxSockets: 512 });
const hopByHop = new Set(['connection', 'keep-alive', 'host', 'transfer-encoding']);

const server = http.createServer((req, res) => {
  const headers = Object.fromEntries(Object.entries(req.headers).filter(([name]) => !hopByHop.has(name)));
  const forwarded = http.request(
    { hostname: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers, agent },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, Object.fromEntries(Object.entries(answer.headers).filter(([name]) => !hopByHop.has(name))));
      answer.pipe(res);
    },
  );
  forwarded.on('error', () => (res.headersSent ? res.destroy() : res.writeHead(502).end()));
  req.pipe(forwarded);
});
server.keepAliveTimeout = 65_000;
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as { port: number };
  process.stdout.write(`http://127.0.0.1:${port}\n`);
});
const stop = () => server.close(() => process.exit(0));
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
