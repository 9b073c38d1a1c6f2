import { readdirSync, readFileSync, writeFileSync } from 'node:fs';

/** CPU time of a process, in nanoseconds, from the scheduler's per-thread counters (Linux /proc). */
export interface CpuReading {
  /** Every thread of the process. */
  totalNs: number;
  /** Threads named WorkerThread (Node worker_threads: Sluice's embedded DynamoDB runs in one). */
  workerThreadsNs: number;
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * Sums `/proc/<pid>/task/<tid>/schedstat` (first field: time on CPU in ns) over the threads that
 * are alive now. The gateways' threads live as long as the process, so differences between two
 * readings are the CPU the process used in between.
 */
export function readCpu(pid: number): CpuReading {
  let totalNs = 0;
  let workerThreadsNs = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    const ns = Number(readText(`/proc/${pid}/task/${tid}/schedstat`)?.split(' ')[0] ?? 0);
    totalNs += ns;
    if (readText(`/proc/${pid}/task/${tid}/comm`)?.trim() === 'WorkerThread') workerThreadsNs += ns;
  }
  return { totalNs, workerThreadsNs };
}

export function cpuBetween(before: CpuReading, after: CpuReading): CpuReading {
  return { totalNs: after.totalNs - before.totalNs, workerThreadsNs: after.workerThreadsNs - before.workerThreadsNs };
}

/** Peak resident set size (VmHWM) in bytes since the process started or since resetPeakRss. */
export function peakRss(pid: number): number {
  const match = /^VmHWM:\s+(\d+) kB/m.exec(readText(`/proc/${pid}/status`) ?? '');
  return match ? Number(match[1]) * 1024 : Number.NaN;
}

/** Resets the peak RSS to the current RSS (`echo 5 > /proc/<pid>/clear_refs`; allowed for one's own children). */
export function resetPeakRss(pid: number): void {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
  } catch {
    // Without the permission the peak is the process's lifetime peak, which is still an upper bound.
  }
}

export function procAvailable(): boolean {
  return readText('/proc/self/status') !== undefined;
}
