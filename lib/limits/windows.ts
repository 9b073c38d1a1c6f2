import type { LimitWindow } from './limit.ts';

export interface WindowSpan {
  /** `2025-01-02T03` (hour), `2025-01-02` (day) or `2025-01` (month), in UTC. */
  start: string;
  /** When the next window begins. */
  end: Date;
}

/** The calendar window (UTC) that `now` falls in. */
export function windowAt(window: LimitWindow, now: Date): WindowSpan {
  const year = now.getUTCFullYear();
  const month = now.getUTCMonth();
  const day = now.getUTCDate();
  const iso = now.toISOString();
  switch (window) {
    case 'hour':
      return { start: iso.slice(0, 13), end: new Date(Date.UTC(year, month, day, now.getUTCHours() + 1)) };
    case 'day':
      return { start: iso.slice(0, 10), end: new Date(Date.UTC(year, month, day + 1)) };
    case 'month':
      return { start: iso.slice(0, 7), end: new Date(Date.UTC(year, month + 1, 1)) };
  }
}
