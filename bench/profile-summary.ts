#!/usr/bin/env node
import { readFileSync } from 'node:fs';

/**
 * Reads a V8 CPU profile (`node --cpu-prof`, or `BENCH_PROFILE=1 npm run bench`) and prints where
 * the time went: self time per package (or project directory), the functions with the most self
 * time, and the project's functions by total time (self and callees).
 *   node bench/profile-summary.ts <file.cpuprofile> [rows] [--under <function or file>]
 */
interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

const root = new URL('..', import.meta.url).href;

/** `@aws-sdk/client-dynamodb`, `lib/proxy`, `node:internal/http`, or a V8 pseudo-frame such as `(garbage collector)`. */
export function ownerOf(frame: CallFrame): string {
  const { url, functionName } = frame;
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const modules = url.lastIndexOf('/node_modules/');
  if (modules >= 0) {
    const parts = url.slice(modules + '/node_modules/'.length).split('/');
    return parts[0]!.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]!;
  }
  if (url.startsWith('node:')) return url.split('/').slice(0, 2).join('/');
  if (url.startsWith(root)) return url.slice(root.length).split('/').slice(0, -1).join('/') || '.';
  return url;
}

export function describeFrame(frame: CallFrame): string {
  const file = frame.url.startsWith(root) ? frame.url.slice(root.length) : frame.url.replace(/^.*\/node_modules\//, '');
  return `${frame.functionName || '(anonymous)'} ${file ? `${file}:${frame.lineNumber + 1}` : ''}`.trim();
}

/** `under`: only the samples with a frame on their stack whose description contains this text. */
export function summarize(profile: CpuProfile, under?: string) {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));

  const stackOf = (id: number): CallFrame[] => {
    const frames: CallFrame[] = [];
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) frames.push(byId.get(at)!.callFrame);
    return frames;
  };
  const totalUs = [...selfUs.values()].reduce((a, b) => a + b, 0);
  const idleUs = [...selfUs].filter(([id]) => byId.get(id)!.callFrame.functionName === '(idle)').reduce((a, [, us]) => a + us, 0);
  const byOwner = new Map<string, number>();
  const byFunction = new Map<string, number>();
  const inclusiveProject = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const frame = byId.get(id)!.callFrame;
    if (frame.functionName === '(idle)') continue;
    if (under !== undefined && !stackOf(id).some((f) => describeFrame(f).includes(under))) continue;
    byOwner.set(ownerOf(frame), (byOwner.get(ownerOf(frame)) ?? 0) + us);
    byFunction.set(describeFrame(frame), (byFunction.get(describeFrame(frame)) ?? 0) + us);
    // Total time: charge every distinct project function on the stack once.
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const f = byId.get(at)!.callFrame;
      if (!f.url.startsWith(root) || f.url.includes('/node_modules/')) continue;
      const name = describeFrame(f);
      if (seen.has(name)) continue;
      seen.add(name);
      inclusiveProject.set(name, (inclusiveProject.get(name) ?? 0) + us);
    }
  }
  const sorted = (map: Map<string, number>) => [...map].sort((a, b) => b[1] - a[1]);
  return { totalUs, idleUs, byOwner: sorted(byOwner), byFunction: sorted(byFunction), inclusiveProject: sorted(inclusiveProject) };
}

if (process.argv[1] && import.meta.filename === process.argv[1]) {
  const args = process.argv.slice(2);
  const underAt = args.indexOf('--under');
  const under = underAt >= 0 ? args.splice(underAt, 2)[1] : undefined;
  const [file, rowsArg] = args;
  if (!file) {
    process.stderr.write('usage: node bench/profile-summary.ts <file.cpuprofile> [rows] [--under <function or file>]\n');
    process.exit(2);
  }
  const rows = Number(rowsArg ?? 25);
  const summary = summarize(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile, under);
  const busy = under === undefined ? summary.totalUs - summary.idleUs : summary.byOwner.reduce((sum, [, us]) => sum + us, 0);
  const line = ([name, us]: [string, number]) => `${(us / 1000).toFixed(0).padStart(8)} ms ${((us / busy) * 100).toFixed(1).padStart(5)}%  ${name}`;
  process.stdout.write(`busy ${(busy / 1000).toFixed(0)} ms of ${(summary.totalUs / 1000).toFixed(0)} ms sampled\n`);
  process.stdout.write(`\nself time by package / directory:\n${summary.byOwner.slice(0, rows).map(line).join('\n')}\n`);
  process.stdout.write(`\nself time by function:\n${summary.byFunction.slice(0, rows).map(line).join('\n')}\n`);
  process.stdout.write(`\ntotal time of the project's functions:\n${summary.inclusiveProject.slice(0, rows).map(line).join('\n')}\n`);
}
