import type { Dependency } from './Dependency.js';
import type { Partition } from './Partition.js';
import type { Partitioner } from './Partitioner.js';
import type { TaskContext } from './TaskContext.js';

/**
 * The five things that make an RDD (partitions, dependencies, compute, partitioner,
 * preferred locations), plus what it takes to ship the node to executors.
 *
 * `compute` returns record batches (arrays) synchronously: narrow operators then run as tight
 * loops over arrays, and all asynchronous work (fetching shuffle blocks, broadcasts) happens
 * before the task starts.
 */
export interface RDDNode<T> {
  /** Registry key used to rebuild this node on executors (see rddNodeKinds). */
  readonly kind: string;
  /** Human name in toDebugString, e.g. `MapPartitionsRDD`. */
  readonly displayName: string;
  readonly dependencies: readonly Dependency[];
  readonly partitioner?: Partitioner | undefined;
  /** Driver side, called once; may read file listings. Partitions must be encodable. */
  getPartitions(): Partition[];
  compute(split: Partition, ctx: TaskContext): Iterable<T[]>;
  preferredLocations?(split: Partition): readonly string[];
  /**
   * Driver side, awaited before any job that needs this node runs: for nodes whose partitions
   * depend on data (zipWithIndex's offsets, sortByKey's range bounds).
   */
  prepare?(): Promise<void>;
  /** Encodable arguments that, with the parents, rebuild an equivalent node on an executor. */
  toWire(): unknown;
}
