import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';

const root = new URL('..', import.meta.url).pathname;

export interface Server {
  name: string;
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/**
 * Spawns `node <args>` with its stdout going to a file (writes to a file never wait for a reader,
 * as Lambda's log pipe does not hold up a function; Sluice prints its EMF metrics there), and
 * resolves once a line of that output matches `ready`.
 */
async function spawnNode(
  args: string[],
  env: Record<string, string>,
  ready: RegExp,
  logFile: string,
): Promise<{ child: ChildProcess; line: string }> {
  const out = openSync(logFile, 'w');
  const child = spawn(process.execPath, args, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', out, 'inherit'] });
  closeSync(out);
  let exited: Error | undefined;
  child.once('exit', (code) => (exited = new Error(`node ${args.join(' ')} exited with ${code}`)));
  for (;;) {
    const line = readFileSync(logFile, 'utf8').split('\n').find((l) => ready.test(l));
    if (line !== undefined) return { child, line };
    if (exited) throw exited;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function stopper(child: ChildProcess, cleanup?: () => void): () => Promise<void> {
  return async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
    cleanup?.();
  };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The fake OpenAI upstream (bench/fake-upstream-process.ts). */
export async function startUpstream(): Promise<Server> {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-bench-upstream-'));
  const { child, line } = await spawnNode(['bench/fake-upstream-process.ts'], {}, /^http:/, join(dir, 'stdout.log'));
  return { name: 'upstream', url: line.trim(), pid: child.pid!, stop: stopper(child, () => rmSync(dir, { recursive: true, force: true })) };
}

/**
 * Sluice's local server (`sluice start`): the production handlers, with its embedded DynamoDB
 * (dynalite, on disk under a temporary data dir) in a worker thread of the same process.
 * `nodeFlags` are passed to Node (for example --cpu-prof).
 */
export async function startSluice(upstreamUrl: string, nodeFlags: string[] = []): Promise<Server> {
  const dataDir = mkdtempSync(join(tmpdir(), 'sluice-bench-'));
  const port = await freePort();
  const { child } = await spawnNode(
    [...nodeFlags, 'bin/sluice.ts', 'start'],
    { PORT: String(port), SLUICE_DATA_DIR: dataDir, SLUICE_OPENAI_BASE_URL: `${upstreamUrl}/v1` },
    /listening on/,
    join(dataDir, 'stdout.log'),
  );
  return {
    name: 'sluice',
    url: `http://127.0.0.1:${port}`,
    pid: child.pid!,
    stop: stopper(child, () => rmSync(dataDir, { recursive: true, force: true })),
  };
}

/** The Portkey gateway (@portkey-ai/gateway, its own Node server: build/start-server.js). */
export async function startPortkey(): Promise<Server> {
  const port = await freePort();
  const entry = join(root, 'node_modules/@portkey-ai/gateway/build/start-server.js');
  const dir = mkdtempSync(join(tmpdir(), 'sluice-bench-portkey-'));
  const { child } = await spawnNode([entry, `--port=${port}`, '--headless'], {}, /Ready for connections/, join(dir, 'stdout.log'));
  return {
    name: 'portkey',
    url: `http://127.0.0.1:${port}`,
    pid: child.pid!,
    stop: stopper(child, () => rmSync(dir, { recursive: true, force: true })),
  };
}

/** The bare Node proxy (bench/bare-proxy-process.ts): the floor any Node gateway starts from. */
export async function startBareProxy(upstreamUrl: string, nodeFlags: string[] = []): Promise<Server> {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-bench-bare-'));
  const { child, line } = await spawnNode([...nodeFlags, 'bench/bare-proxy-process.ts'], { BARE_UPSTREAM_URL: upstreamUrl }, /^http:/, join(dir, 'stdout.log'));
  return { name: 'bare', url: line.trim(), pid: child.pid!, stop: stopper(child, () => rmSync(dir, { recursive: true, force: true })) };
}
