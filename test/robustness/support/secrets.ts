import { randomBytes } from 'node:crypto';

/** A recognisable secret: a fixed marker and a random core that appears nowhere else. */
function secret(label: string): { value: string; core: string } {
  const core = randomBytes(12).toString('hex');
  return { value: `sk-${label}-SLUICEFUZZ${core}`, core };
}

const server = ['openai', 'azure-openai', 'anthropic', 'gemini', 'bedrock', 'cohere', 'groq', 'mistral', 'xai', 'cerebras', 'deepseek', 'openrouter', 'perplexity', 'vllm', 'ollama', 'zhipuai', 'minimax', 'together', 'fireworks'];

/** SLUICE_<P>_API_KEY values: the server's default key of each provider. */
export const serverSecrets: Record<string, { value: string; core: string }> = Object.fromEntries(
  server.map((id) => [`SLUICE_${id.toUpperCase().replaceAll('-', '_')}_API_KEY`, secret(`server-${id}`)]),
);

/** The keys clients send. */
export const clientSecrets = [secret('client-a'), secret('client-b')];

const cores = [...Object.values(serverSecrets), ...clientSecrets].map((s) => s.core);

/** The secrets (by their random core, so a truncated or masked copy is caught too) found in a text. */
export function secretsIn(text: string): string[] {
  return cores.filter((core) => text.includes(core));
}

/** The environment that seeds every server key. */
export function serverKeyEnv(): Record<string, string> {
  return Object.fromEntries(Object.entries(serverSecrets).map(([name, s]) => [name, s.value]));
}

/**
 * Watches everything written to stdout and stderr (where the logger, the EMF metrics and any
 * stray console output go) for the seeded secrets, optionally keeping it out of the test output.
 */
export class OutputWatch {
  readonly leaks: string[] = [];
  lines = 0;
  private readonly originals = { stdout: process.stdout.write, stderr: process.stderr.write };

  start(options: { quiet?: boolean } = {}): this {
    for (const name of ['stdout', 'stderr'] as const) {
      const stream = process[name];
      const original = this.originals[name];
      const seen = (text: string) => {
        this.lines += text.split('\n').length - 1;
        for (const found of secretsIn(text)) this.leaks.push(`${name}: …${found}… in ${text.slice(0, 300)}`);
      };
      stream.write = function (this: NodeJS.WriteStream, chunk: unknown, ...rest: unknown[]) {
        const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8');
        seen(text);
        // EMF metric lines (one per request) are kept out of the test output; anything else passes.
        if (options.quiet && text.split('\n').every((line) => line === '' || line.startsWith('{"_aws"'))) return true;
        return (original as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
      } as typeof stream.write;
    }
    return this;
  }

  stop(): void {
    process.stdout.write = this.originals.stdout;
    process.stderr.write = this.originals.stderr;
  }
}
