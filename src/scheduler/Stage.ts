import type { ShuffleDependency } from '../engine/Dependency.js';
import type { RDD } from '../engine/RDD.js';
import type { ActiveJob } from './ActiveJob.js';

/**
 * A set of tasks running the same pipelined functions on different partitions, cut at
 * shuffle boundaries. A ShuffleMapStage writes a shuffle; a ResultStage runs an action.
 */
export type Stage = ShuffleMapStage | ResultStage;

interface StageBase {
  readonly id: number;
  readonly rdd: RDD<unknown>;
  readonly parents: readonly ShuffleMapStage[];
  readonly firstJobId: number;
  /** Jobs that need this stage. */
  readonly jobIds: Set<number>;
  /** `reduceByKey at wordcount.ts:7` */
  readonly name: string;
  /** Incremented by every (re)submission. */
  nextAttempt: number;
  /** The attempt now running, if any. */
  latestAttempt: number;
  /** Partitions of the running attempt that have not finished. */
  readonly pendingPartitions: Set<number>;
  /** Attempts in a row that ended in a fetch failure (reset when an attempt succeeds); too many aborts the stage. */
  failedAttempts: number;
}

export interface ShuffleMapStage extends StageBase {
  readonly type: 'shuffleMap';
  readonly shuffleDep: ShuffleDependency;
}

export interface ResultStage extends StageBase {
  readonly type: 'result';
  activeJob: ActiveJob | undefined;
}
