import http from 'node:http';

export interface Sample {
  latencyMs: number;
  ttfbMs: number;
  /** Gaps between body chunks as the client received them. */
  gapsMs: number[];
  ok: boolean;
}

export interface LoadResult {
  samples: Sample[];
  durationMs: number;
  errors: number;
}

export interface Target {
  url: string;
  headers: Record<string, string>;
  body: Buffer;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 1024 });

function once(target: Target): Promise<Sample> {
  return new Promise((resolve) => {
    const start = performance.now();
    const req = http.request(
      target.url,
      { method: 'POST', agent, headers: { ...target.headers, 'content-length': target.body.byteLength } },
      (res) => {
        let first: number | undefined;
        let last = 0;
        const gaps: number[] = [];
        res.on('data', () => {
          const now = performance.now();
          if (first === undefined) first = now;
          else gaps.push(now - last);
          last = now;
        });
        res.on('end', () => {
          const end = performance.now();
          resolve({ latencyMs: end - start, ttfbMs: (first ?? end) - start, gapsMs: gaps, ok: res.statusCode === 200 });
        });
        res.on('error', () => resolve({ latencyMs: performance.now() - start, ttfbMs: 0, gapsMs: [], ok: false }));
      },
    );
    req.on('error', () => resolve({ latencyMs: performance.now() - start, ttfbMs: 0, gapsMs: [], ok: false }));
    req.end(target.body);
  });
}

/** `concurrency` clients send requests back to back for `durationMs` (after a short warm-up). */
export async function runLoad(target: Target, concurrency: number, durationMs: number, warmupMs = 300): Promise<LoadResult> {
  const warmupEnd = performance.now() + warmupMs;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < warmupEnd) await once(target);
    }),
  );
  const samples: Sample[] = [];
  let errors = 0;
  const start = performance.now();
  const end = start + durationMs;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        const sample = await once(target);
        if (sample.ok) samples.push(sample);
        else errors++;
      }
    }),
  );
  return { samples, durationMs: performance.now() - start, errors };
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
