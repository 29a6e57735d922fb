import type { MapStatus } from './MapStatus.js';

/**
 * Where a reducer gets the bytes of one map output's segment: local disk by default; an
 * executor process plugs in one that fetches segments held by other executors.
 */
export interface ShuffleBlockReader {
  /**
   * The framed blocks of reduce partition `reduceId` in `status`'s data file — exactly the bytes
   * `[offsets[reduceId], offsets[reduceId + 1])` — as a stream of chunks in order. Chunk
   * boundaries may fall anywhere (the consumer reassembles frames), so a segment is never held
   * whole in memory. Throws (when iterated) if the bytes cannot be had.
   */
  readSegment(status: MapStatus, reduceId: number): Iterable<Uint8Array>;
  /**
   * Called when a read finishes or is abandoned, to release files or buffers. The reader must
   * still work if used again afterwards.
   */
  close?(): void;
}
