import type { Aggregator } from './Aggregator.js';
import type { ShuffleDependency } from './Dependency.js';
import type { Partition } from './Partition.js';
import type { RDD } from './RDD.js';
import type { TaskMetrics } from './TaskMetrics.js';

/**
 * What a running task knows about itself. User code may read it (`mapPartitionsWithContext`
 * style); RDD nodes use `runtime` to reach the executor's block manager and shuffle reader.
 */
export interface TaskContext {
  readonly stageId: number;
  readonly stageAttemptNumber: number;
  readonly partitionId: number;
  /** 0 for the first attempt of this partition, 1 for the first retry, … */
  readonly attemptNumber: number;
  /** Unique across the application. */
  readonly taskAttemptId: number;
  readonly executorId: string;
  readonly metrics: TaskMetrics;
  /** True once the driver asked to kill this attempt; long loops should stop. */
  isInterrupted(): boolean;
  /** Runs when the attempt ends, successfully or not (release files, handles, …). */
  addTaskCompletionListener(listener: (ctx: TaskContext) => void): void;
  readonly runtime: TaskRuntime;
}

/** The executor services RDD nodes need while computing. */
export interface TaskRuntime {
  /** A persisted RDD's partition: from the block store, or computed and stored. */
  getOrCompute<T>(rdd: RDD<T>, split: Partition, ctx: TaskContext): Iterable<T[]>;
  /** Reduce-side records of `dep` for partitions [start, end): aggregated/sorted as the dependency says. */
  readShuffle(dep: ShuffleDependency, start: number, end: number, ctx: TaskContext): Iterable<[unknown, unknown][]>;
  /** A directory private to this task attempt, removed when the attempt ends. */
  taskTempDir(ctx: TaskContext): string;
  /**
   * Combines records by key within the executor's shuffle memory budget, spilling to disk beyond
   * it (cogroup and the joins group after their reads). Output order is unspecified.
   */
  combineByKey(input: Iterable<[unknown, unknown][]>, aggregator: Aggregator<unknown, unknown>, ctx: TaskContext): Iterable<[unknown, unknown][]>;
}
