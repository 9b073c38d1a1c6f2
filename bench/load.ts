import http from 'node:http';

export interface Sample {
  latencyMs: number;
  /** Time to the first byte of the body. */
  ttfbMs: number;
  ok: boolean;
}

export interface LoadResult {
  samples: Sample[];
  /** Gaps between body chunks as the client received them, over every stream of the run. */
  gapsMs: Float64Array;
  durationMs: number;
  errors: number;
  firstError?: string;
}

export interface Target {
  url: string;
  headers: Record<string, string>;
  body: Buffer;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 1024 });

/** A growable list of numbers (the gaps of a 500-chunk stream run reach millions). */
class Numbers {
  private values = new Float64Array(1 << 16);
  length = 0;
  push(value: number): void {
    if (this.length === this.values.length) {
      const grown = new Float64Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.length++] = value;
  }
  take(): Float64Array {
    return this.values.subarray(0, this.length);
  }
}

function once(target: Target, gaps: Numbers | undefined): Promise<Sample & { error?: string }> {
  return new Promise((resolve) => {
    const start = performance.now();
    const fail = (error: string) => resolve({ latencyMs: performance.now() - start, ttfbMs: 0, ok: false, error });
    const req = http.request(
      target.url,
      { method: 'POST', agent, headers: { ...target.headers, 'content-length': target.body.byteLength } },
      (res) => {
        let first: number | undefined;
        let last = 0;
        let tail = '';
        res.on('data', (chunk: Buffer) => {
          const now = performance.now();
          if (first === undefined) first = now;
          else gaps?.push(now - last);
          last = now;
          if (res.statusCode !== 200) tail = (tail + chunk.toString('utf8')).slice(-300);
        });
        res.on('end', () => {
          const end = performance.now();
          if (res.statusCode !== 200) return fail(`HTTP ${res.statusCode}: ${tail}`);
          resolve({ latencyMs: end - start, ttfbMs: (first ?? end) - start, ok: true });
        });
        res.on('error', (error) => fail(error.message));
      },
    );
    req.on('error', (error) => fail(error.message));
    req.end(target.body);
  });
}

/**
 * `concurrency` clients send requests back to back for `durationMs`, after a warm-up.
 * `onMeasure` is called when the measured window opens and when it closes.
 */
export async function runLoad(
  target: Target,
  options: { concurrency: number; durationMs: number; warmupMs?: number; stream?: boolean; onMeasure?: (phase: 'start' | 'end') => void },
): Promise<LoadResult> {
  const { concurrency, durationMs, warmupMs = 300 } = options;
  const warmupEnd = performance.now() + warmupMs;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < warmupEnd) await once(target, undefined);
    }),
  );
  const samples: Sample[] = [];
  const gaps = new Numbers();
  let errors = 0;
  let firstError: string | undefined;
  options.onMeasure?.('start');
  const start = performance.now();
  const end = start + durationMs;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        const sample = await once(target, options.stream ? gaps : undefined);
        if (sample.ok) samples.push(sample);
        else {
          errors++;
          firstError ??= sample.error;
        }
      }
    }),
  );
  const durationMsMeasured = performance.now() - start;
  options.onMeasure?.('end');
  return { samples, gapsMs: gaps.take(), durationMs: durationMsMeasured, errors, firstError };
}

/** The nearest-rank percentile. */
export function percentile(values: ArrayLike<number>, p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}
