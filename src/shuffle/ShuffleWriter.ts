import type { MapStatus } from './MapStatus.js';

/** Writes one map task's output for one shuffle. Synchronous: the task's input is already local. */
export interface ShuffleWriter {
  /** Consumes the task's record batches, commits the map output and says where it is. */
  write(records: Iterable<[unknown, unknown][]>): MapStatus;
}
