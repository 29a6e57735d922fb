import type { Closure } from '../common/closure/Closure.js';
import type { ClosureRef } from '../common/closure/shippable.js';
import type { RDD } from './RDD.js';
import type { TaskContext } from './TaskContext.js';

/** A function that turns one partition's batches into a task result (runs on executors). */
export type PartitionFunction<T, U> = (batches: Iterable<T[]>, ctx: TaskContext) => U;

/**
 * What RDDs need from the context that created them. SparkContext implements it on the
 * driver; executors use a context that refuses to run jobs (actions inside tasks are an error).
 */
export interface RDDContext {
  readonly defaultParallelism: number;
  /** Default minimum partitions for textFile (min(defaultParallelism, 2), as in Spark). */
  readonly defaultMinPartitions: number;
  /** A configuration value (`--conf key=value`), or undefined. */
  getConf(key: string): string | undefined;
  newRddId(): number;
  newShuffleId(): number;
  /**
   * Runs `func` on the given partitions (all when omitted) and resolves with one result per
   * partition, in partition order. `description` names the action in progress output.
   */
  runJob<T, U>(
    rdd: RDD<T>,
    func: Closure<PartitionFunction<T, U>>,
    options?: { partitions?: readonly number[]; description?: string },
  ): Promise<U[]>;
  /** Hook for closures: ship values over the broadcast threshold as broadcasts. */
  autoBroadcast(value: unknown): ClosureRef | undefined;
  persistRdd(rdd: RDD<unknown>): void;
  unpersistRdd(rdd: RDD<unknown>): void;
  /** The directory set by sc.setCheckpointDir() (driver only; undefined when unset or on executors). */
  getCheckpointDir?(): string | undefined;
  /** An output job (saveAs*File) starts: its tasks may now ask to commit (OutputCommitCoordinator). */
  startOutputJob(jobKey: string): void;
  /** The output job ended, either way: later commit requests are denied. */
  stopOutputJob(jobKey: string): void;
}
