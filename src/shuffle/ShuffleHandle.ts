import type { Aggregator } from '../engine/Aggregator.js';
import type { Partitioner } from '../engine/Partitioner.js';

/**
 * Everything a map task needs to write, and a reduce task needs to read, one shuffle.
 * Functions here are live (already revived on the executor).
 */
export interface ShuffleHandle {
  readonly shuffleId: number;
  /** Number of map partitions (= map tasks) writing this shuffle. */
  readonly numMaps: number;
  readonly partitioner: Partitioner;
  /** Present for reduceByKey/combineByKey/…; absent for groupByKey-less repartitioning and sorts. */
  readonly aggregator?: Aggregator<unknown, unknown> | undefined;
  /** Combine values per key before writing (Spark's map-side combine, MapReduce's combiner). */
  readonly mapSideCombine: boolean;
  /** When present, each reduce partition's records come out sorted by key with this comparator. */
  readonly keyOrdering?: ((a: unknown, b: unknown) => number) | undefined;
}
