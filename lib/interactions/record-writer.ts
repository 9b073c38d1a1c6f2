import type { Interaction } from './interaction.ts';

/**
 * Where a handler sends the interaction record of each request: resolves once the record is
 * stored, or false once it was given up on (logged). Never throws.
 */
export interface RecordWriter {
  write(record: Interaction): Promise<boolean>;
  /** Lets go of what the writer holds (a connection); records written after are not stored. */
  close?(): void;
}
