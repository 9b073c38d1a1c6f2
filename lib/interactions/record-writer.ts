import type { Interaction } from './interaction.ts';

/**
 * Where a handler sends the interaction record of each request: resolves once the record is
 * stored, or false once it was given up on (logged). Never throws.
 */
export interface RecordWriter {
  write(record: Interaction): Promise<boolean>;
  /** Lets go of what the writer holds (a connection); records written after are not stored. */
  close?(): void;
  /**
   * The writer publishes each record's request metrics itself, so the handler does not (the local
   * server's record worker does, beside the write, off the gateway's event loop).
   */
  readonly publishesRequestMetrics?: boolean;
}

/** BatchWriteItem takes at most 25 items. */
export const BATCH_WRITE_LIMIT = 25;

/** A record waiting to be written, and whom to tell whether it was stored. */
export interface PendingRecord {
  record: Interaction;
  done: (written: boolean) => void;
}
