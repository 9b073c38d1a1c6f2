import { parseArgs, type ParseArgsOptionsConfig } from 'node:util';
import { AdminClient } from './admin-client.ts';
import { text, flag, type Values } from './args.ts';
import { usageError } from './cli-error.ts';
import { Output } from './output.ts';

export interface ActionContext {
  positionals: string[];
  values: Values;
  client: AdminClient;
  out: Output;
}

export interface Action {
  /** The arguments, for the help: `<id> --name <name>`. */
  args: string;
  summary: string;
  options?: ParseArgsOptionsConfig;
  run(context: ActionContext): Promise<void>;
}

export interface Resource {
  name: string;
  summary: string;
  actions: Record<string, Action>;
}

const globalOptions = {
  json: { type: 'boolean' },
  'admin-url': { type: 'string' },
  sigv4: { type: 'boolean' },
  region: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsOptionsConfig;

export const GLOBAL_OPTIONS_HELP = `Options for every admin command:
  --json               Print the API's JSON instead of a table
  --admin-url <url>    The admin API (default: $SLUICE_ADMIN_URL, else http://127.0.0.1:$PORT)
  --sigv4              Sign requests with AWS SigV4 (automatic for *.lambda-url.<region>.on.aws)
  --region <region>    The region for SigV4 (default: from the URL, else $AWS_REGION)
  -h, --help           Show help`;

export function resourceHelp(resource: Resource): string {
  const width = Math.max(...Object.entries(resource.actions).map(([name, a]) => `${name} ${a.args}`.length));
  const lines = Object.entries(resource.actions).map(
    ([name, action]) => `  sluice ${resource.name} ${`${name} ${action.args}`.padEnd(width)}  ${action.summary}`,
  );
  return `${resource.summary}\n\nUsage:\n${lines.join('\n')}\n\n${GLOBAL_OPTIONS_HELP}\n`;
}

/** Runs `sluice <resource> <action> …` with node:util parseArgs: unknown options are refused. */
export async function runResource(resource: Resource, argv: string[]): Promise<void> {
  const [actionName, ...rest] = argv;
  if (actionName === undefined || actionName === 'help' || actionName === '--help' || actionName === '-h') {
    process.stdout.write(resourceHelp(resource));
    return;
  }
  const action = Object.hasOwn(resource.actions, actionName) ? resource.actions[actionName] : undefined;
  if (!action) {
    throw usageError(`Unknown command 'sluice ${resource.name} ${actionName}'. Commands: ${Object.keys(resource.actions).join(', ')}.`);
  }
  let parsed: { values: Values; positionals: string[] };
  try {
    parsed = parseArgs({ args: rest, options: { ...globalOptions, ...action.options }, allowPositionals: true, strict: true }) as {
      values: Values;
      positionals: string[];
    };
  } catch (error) {
    throw usageError(`${(error as Error).message}\nUsage: sluice ${resource.name} ${actionName} ${action.args}`);
  }
  const { values, positionals } = parsed;
  if (flag(values, 'help')) {
    process.stdout.write(`Usage: sluice ${resource.name} ${actionName} ${action.args}\n\n${action.summary}\n\n${GLOBAL_OPTIONS_HELP}\n`);
    return;
  }
  const client = new AdminClient({ adminUrl: text(values, 'admin-url'), sigv4: flag(values, 'sigv4'), region: text(values, 'region') });
  await action.run({ positionals, values, client, out: new Output(flag(values, 'json')) });
}
