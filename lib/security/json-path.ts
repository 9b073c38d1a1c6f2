type Segment = { kind: 'key'; name: string } | { kind: 'index'; index: number } | { kind: 'every' };

const cache = new Map<string, Segment[]>();

/** Parses `a.b[0].c`, `items[*].from`, `[*]`, `a["odd.key"]`. An empty path is the value itself. */
export function parsePath(path: string): Segment[] {
  const cached = cache.get(path);
  if (cached) return cached;
  const segments: Segment[] = [];
  const pattern = /\[\*\]|\[(\d+)\]|\["((?:[^"\\]|\\.)*)"\]|\.?([^.[\]]+)/g;
  let match: RegExpExecArray | null;
  let consumed = 0;
  while ((match = pattern.exec(path)) !== null) {
    if (match.index !== consumed) throw new Error(`invalid path: ${path}`);
    consumed = pattern.lastIndex;
    if (match[0] === '[*]') segments.push({ kind: 'every' });
    else if (match[1] !== undefined) segments.push({ kind: 'index', index: Number(match[1]) });
    else if (match[2] !== undefined) segments.push({ kind: 'key', name: JSON.parse(`"${match[2]}"`) as string });
    else segments.push({ kind: 'key', name: match[3]! });
  }
  if (consumed !== path.length) throw new Error(`invalid path: ${path}`);
  if (cache.size > 1000) cache.clear();
  cache.set(path, segments);
  return segments;
}

/**
 * Every value the path reaches. `[*]` fans out over each element of an array (or each value of an
 * object); a step that does not exist reaches nothing.
 */
export function valuesAt(root: unknown, path: string): unknown[] {
  let current: unknown[] = [root];
  for (const segment of parsePath(path)) {
    const next: unknown[] = [];
    for (const value of current) {
      if (value === null || typeof value !== 'object') continue;
      if (segment.kind === 'every') {
        next.push(...(Array.isArray(value) ? value : Object.values(value)));
      } else if (segment.kind === 'index') {
        if (Array.isArray(value) && segment.index < value.length) next.push(value[segment.index]);
      } else if (Object.hasOwn(value, segment.name)) {
        next.push((value as Record<string, unknown>)[segment.name]);
      }
    }
    current = next;
  }
  return current;
}
