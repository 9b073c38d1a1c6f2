import { spawn, type ChildProcess } from 'node:child_process';
import net, { type AddressInfo, type Socket } from 'node:net';

/** A loopback URL where nothing listens (a port that was free a moment ago): connections are refused. */
export async function refusingUrl(): Promise<string> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

export interface Blackhole {
  url: string;
  close(): void;
}

/**
 * A loopback URL where a connection is never established: a listener with a backlog of one, in
 * a child process stopped with SIGSTOP (so it never accepts), whose queue is then filled. The
 * kernel drops the SYNs of any further connection, which stays `connecting` until its caller
 * gives up: the connect timeout.
 */
export async function startBlackhole(): Promise<Blackhole> {
  const child: ChildProcess = spawn(
    process.execPath,
    ['-e', "const s = require('node:net').createServer().listen({ port: 0, host: '127.0.0.1', backlog: 1 }, () => console.log(s.address().port))"],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const port = await new Promise<number>((resolve) => child.stdout!.once('data', (data: Buffer) => resolve(Number(data.toString().trim()))));
  process.kill(child.pid!, 'SIGSTOP');
  const fillers: Socket[] = [];
  for (let i = 0; i < 16; i++) {
    const socket = net.connect(port, '127.0.0.1');
    fillers.push(socket);
    socket.on('error', () => undefined);
    const connected = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 2000);
      socket.once('connect', () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
    if (!connected) break;
  }
  return {
    url: `http://127.0.0.1:${port}`,
    close() {
      for (const socket of fillers) socket.destroy();
      child.kill('SIGKILL');
    },
  };
}
