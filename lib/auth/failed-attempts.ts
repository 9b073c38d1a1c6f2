import { SluiceError } from '../errors/sluice-error.ts';

interface Window {
  failures: number;
  startedAt: number;
}

/** Bounds memory when a flood of sources fails: the oldest windows are dropped first. */
const MAX_TRACKED = 10_000;

/**
 * Limits failed authentication attempts per (source address, credential kind) in a fixed window.
 * The source is the connection's address as the Function URL (or the local server's socket) saw it:
 * never X-Forwarded-For or any other header a client can write, and loopback is not exempt.
 * In memory, per process: on AWS each execution environment counts on its own.
 */
export class FailedAttemptLimiter {
  private readonly windows = new Map<string, Window>();
  private readonly limit: number;
  private readonly windowMs: number;
  private readonly now: () => number;

  constructor(limit: number, windowMs: number, now: () => number = Date.now) {
    this.limit = limit;
    this.windowMs = windowMs;
    this.now = now;
  }

  /** Throws a 429 while the bucket has used up its failures; the credential is then not even checked. */
  assertAllowed(source: string, kind: string): void {
    const window = this.current(bucket(source, kind));
    if (window && window.failures >= this.limit) {
      const seconds = Math.ceil((window.startedAt + this.windowMs - this.now()) / 1000);
      throw new SluiceError(
        'limit_exceeded',
        `Too many failed authentication attempts from this address; try again in ${seconds} s.`,
        { status: 429, code: 'too_many_failed_attempts' },
      );
    }
  }

  recordFailure(source: string, kind: string): void {
    const key = bucket(source, kind);
    const window = this.current(key);
    if (window) {
      window.failures += 1;
      return;
    }
    if (this.windows.size >= MAX_TRACKED) this.windows.delete(this.windows.keys().next().value!);
    this.windows.set(key, { failures: 1, startedAt: this.now() });
  }

  private current(key: string): Window | undefined {
    const window = this.windows.get(key);
    if (window && this.now() - window.startedAt >= this.windowMs) {
      this.windows.delete(key);
      return undefined;
    }
    return window;
  }
}

const bucket = (source: string, kind: string) => `${source}\u0000${kind}`;
