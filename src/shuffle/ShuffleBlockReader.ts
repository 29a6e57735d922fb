import type { MapStatus } from './MapStatus.js';

/**
 * Where a reducer gets the bytes of one map output's segment. Local disk by default; the executor
 * plugs in one that serves blocks it already fetched from remote executors.
 */
export interface ShuffleBlockReader {
  /**
   * The framed blocks of reduce partition `reduceId` in `status`'s data file: exactly the bytes
   * `[offsets[reduceId], offsets[reduceId + 1])`. Throws if they cannot be had.
   */
  readSegment(status: MapStatus, reduceId: number): Uint8Array;
  /**
   * Called when a read finishes or is abandoned, to release files or buffers. The reader must
   * still work if used again afterwards.
   */
  close?(): void;
}
