import type { Closure } from '../common/closure/Closure.js';
import type { Aggregator } from './Aggregator.js';
import type { Partitioner } from './Partitioner.js';
import type { RDD } from './RDD.js';

/**
 * An edge of the lineage graph. Narrow dependencies let a child partition be computed from a
 * bounded set of parent partitions inside one task; a shuffle dependency cuts a stage.
 */
export type Dependency = NarrowDependency | ShuffleDependency;

export abstract class NarrowDependency {
  readonly type = 'narrow' as const;
  constructor(readonly rdd: RDD<unknown>) {}
  /** The parent partitions that child partition `partitionId` reads. */
  abstract getParents(partitionId: number): readonly number[];
}

export class OneToOneDependency extends NarrowDependency {
  getParents(partitionId: number): readonly number[] {
    return [partitionId];
  }
}

/** Child partitions [outStart, outStart + length) read parent partitions [inStart, …) one to one. */
export class RangeDependency extends NarrowDependency {
  constructor(
    rdd: RDD<unknown>,
    readonly inStart: number,
    readonly outStart: number,
    readonly length: number,
  ) {
    super(rdd);
  }
  getParents(partitionId: number): readonly number[] {
    return partitionId >= this.outStart && partitionId < this.outStart + this.length
      ? [partitionId - this.outStart + this.inStart]
      : [];
  }
}

/** A narrow dependency given by an explicit table (coalesce, cartesian). */
export class TableDependency extends NarrowDependency {
  constructor(
    rdd: RDD<unknown>,
    readonly parentsByPartition: readonly (readonly number[])[],
  ) {
    super(rdd);
  }
  getParents(partitionId: number): readonly number[] {
    return this.parentsByPartition[partitionId] ?? [];
  }
}

/** How a shuffle aggregates: the user's (or the library's) combineByKey functions. */
export interface ShuffleAggregation {
  readonly createCombiner: Closure<(v: never) => unknown>;
  readonly mergeValue: Closure<(c: never, v: never) => unknown>;
  readonly mergeCombiners: Closure<(a: never, b: never) => unknown>;
}

/**
 * A wide dependency: every child partition may read every parent partition, through a shuffle.
 * `rdd` is the map side; on executors the map side of a reduce stage is not available.
 */
export class ShuffleDependency {
  readonly type = 'shuffle' as const;
  constructor(
    readonly rdd: RDD<readonly [unknown, unknown]>,
    readonly shuffleId: number,
    readonly partitioner: Partitioner,
    readonly options: {
      readonly aggregation?: ShuffleAggregation | undefined;
      readonly mapSideCombine: boolean;
      /** Sort each reduce partition by key: `true` for the default key order, or a comparator closure. */
      readonly keyOrdering?: true | Closure<(a: never, b: never) => number> | undefined;
    },
  ) {}

  /** The live aggregator, for code that runs the functions (executors, local merges). */
  aggregator(): Aggregator<unknown, unknown> | undefined {
    const a = this.options.aggregation;
    if (a === undefined) return undefined;
    return {
      createCombiner: a.createCombiner.fn as (v: unknown) => unknown,
      mergeValue: a.mergeValue.fn as (c: unknown, v: unknown) => unknown,
      mergeCombiners: a.mergeCombiners.fn as (x: unknown, y: unknown) => unknown,
    };
  }
}
