import type { TaskMetrics } from '../engine/TaskMetrics.js';
import type { MapStatus } from '../shuffle/MapStatus.js';
import type { TaskError } from './TaskError.js';

/** A block an executor stored or dropped while running a task (the driver tracks cache locations). */
export interface BlockUpdate {
  readonly rddId: number;
  readonly partition: number;
  /** Size held (for now: records; an empty partition is a stored block of size 0). */
  readonly bytes: number;
  /** The storage level it is kept at; `NONE` means the block was dropped. */
  readonly level: string;
}

/** The end of a task attempt, as the executor reports it. */
export interface TaskStatusUpdate {
  readonly taskId: number;
  readonly executorId: string;
  readonly state: 'finished' | 'failed';
  /** Result tasks: the encoded value of the partition function. */
  readonly result?: Uint8Array | undefined;
  /** Shuffle map tasks: where the output went. */
  readonly mapStatus?: MapStatus | undefined;
  readonly error?: TaskError | undefined;
  /** Accumulator id → the task's own state. */
  readonly accumUpdates: readonly (readonly [number, unknown])[];
  readonly metrics: TaskMetrics;
  readonly blockUpdates: readonly BlockUpdate[];
}
