#!/usr/bin/env node
import { ConfigError } from '../lib/config/index.ts';
import { startLocalServer } from './local/server.ts';

const USAGE = `Usage: sluice <command>

Commands:
  start     Run the gateway locally on 127.0.0.1:$PORT (default 9000), data under $SLUICE_DATA_DIR (default .sluice/)
  help      Show this help
`;

async function start(): Promise<void> {
  const server = await startLocalServer();
  const lines = [`Sluice is listening on ${server.url}`, `  health:  GET ${server.url}/health`, '  routes (add /<profile> after the provider for a profile other than default):'];
  for (const spec of server.functions) {
    for (const route of spec.routes) lines.push(`    ${route.padEnd(12)} ${server.url}/v1/${route}`);
  }
  lines.push(`  data:    ${server.config.server.dataDir}`);
  process.stdout.write(`${lines.join('\n')}\n`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`\n${signal}: stopping…\n`);
    await server.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}

async function main(argv: string[]): Promise<void> {
  const [command] = argv;
  switch (command) {
    case 'start':
      return start();
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(USAGE);
      return;
    default:
      process.stderr.write(`sluice: unknown command '${command}'\n\n${USAGE}`);
      process.exitCode = 2;
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof ConfigError) process.stderr.write(`sluice: ${error.message}\n`);
  else process.stderr.write(`sluice: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
