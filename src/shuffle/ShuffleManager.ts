import type { TaskMetrics } from '../engine/TaskMetrics.js';
import type { MapStatus } from './MapStatus.js';
import type { ShuffleHandle } from './ShuffleHandle.js';
import type { ShuffleReader } from './ShuffleReader.js';
import type { ShuffleWriter } from './ShuffleWriter.js';

/** An executor's shuffle service: writes map outputs, reads reduce inputs, forgets old shuffles. */
export interface ShuffleManager {
  getWriter(handle: ShuffleHandle, mapId: number, attemptId: number, metrics: TaskMetrics): ShuffleWriter;
  /** Reads reduce partitions `[startPartition, endPartition)` from every map output in `statuses`. */
  getReader(
    handle: ShuffleHandle,
    startPartition: number,
    endPartition: number,
    statuses: readonly MapStatus[],
    metrics: TaskMetrics,
  ): ShuffleReader;
  removeShuffle(shuffleId: number): void;
}
