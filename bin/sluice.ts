#!/usr/bin/env node
import { ConfigError } from '../lib/config/index.ts';
import { adminTokenPath } from './local/admin-token.ts';
import { CliError } from './cli/cli-error.ts';
import { GLOBAL_OPTIONS_HELP, runResource, type Resource } from './cli/command.ts';
import { interactionsCommand } from './cli/commands/interactions.ts';
import { usageCommand } from './cli/commands/usage.ts';
import { keysCommand } from './cli/commands/keys.ts';
import { oauthClientsCommand } from './cli/commands/oauth-clients.ts';
import { profilesCommand } from './cli/commands/profiles.ts';
import { providerKeysCommand } from './cli/commands/provider-keys.ts';

const resources: readonly Resource[] = [profilesCommand, providerKeysCommand, keysCommand, oauthClientsCommand, interactionsCommand, usageCommand];

const USAGE = `Usage: sluice <command>

Commands:
  start           Run the gateway locally on 127.0.0.1:$PORT (default 9000), data under $SLUICE_DATA_DIR (default .sluice/)
  profiles        Create, list, change and delete profiles
  provider-keys   Store, list, rotate and delete provider API keys
  keys            Create, list, revoke and delete virtual keys
  oauth-clients   Create, list, rotate and revoke OAuth clients
  interactions    List a profile's interaction records
  help            Show this help

Run 'sluice <command> help' for a command's own commands and options.

${GLOBAL_OPTIONS_HELP}
`;

async function start(): Promise<void> {
  // Loaded only here: the admin commands start faster without the server and its embedded DynamoDB.
  const { startLocalServer } = await import('./local/server.ts');
  const server = await startLocalServer();
  const lines = [`Sluice is listening on ${server.url}`, `  health:  GET ${server.url}/health`, '  routes (add /<profile> after the provider for a profile other than default):'];
  for (const spec of server.functions) {
    for (const route of spec.routes) lines.push(`    ${route.padEnd(12)} ${server.url}/v1/${route}`);
  }
  lines.push(`  admin:   ${server.url}/admin/ (bearer token in ${adminTokenPath(server.config.server.dataDir)})`);
  lines.push(`  oauth:   POST ${server.url}/oauth/token`);
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
  const [command, ...rest] = argv;
  const resource = resources.find((r) => r.name === command);
  if (resource) return runResource(resource, rest);
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
  if (error instanceof CliError) {
    process.stderr.write(`sluice: ${error.message}\n`);
    process.exit(error.exitCode);
  }
  if (error instanceof ConfigError) process.stderr.write(`sluice: ${error.message}\n`);
  else process.stderr.write(`sluice: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
