import { SeededRandom } from '../../common/random/SeededRandom.js';
import type { Dependency } from '../Dependency.js';
import type { Partition } from '../Partition.js';
import type { Partitioner } from '../Partitioner.js';
import type { RDDNode } from '../RDDNode.js';
import type { TaskContext } from '../TaskContext.js';

/**
 * How each partition is sampled. `cell` keeps the elements whose uniform draw falls in
 * [lower, upper): splits built from the same seed and adjacent cells are disjoint and
 * complete, which is how randomSplit works.
 */
export type Sampler =
  | { readonly kind: 'bernoulli'; readonly fraction: number; readonly seed: number }
  | { readonly kind: 'poisson'; readonly fraction: number; readonly seed: number }
  | { readonly kind: 'cell'; readonly lower: number; readonly upper: number; readonly seed: number };

/** Seeds per partition so that a recomputed partition draws exactly the same sample. */
export function partitionSeed(seed: number, partition: number): number {
  return (Math.floor(seed) + Math.imul(partition + 1, 0x9e3779b1)) % 0x1fffffffffffff;
}

export class SampledNode<T> implements RDDNode<T> {
  readonly kind = 'sampled';
  readonly displayName = 'PartitionwiseSampledRDD';
  readonly partitioner: Partitioner | undefined;

  constructor(
    readonly dependencies: readonly Dependency[],
    readonly sampler: Sampler,
    readonly preservesPartitioning: boolean,
  ) {
    this.partitioner = preservesPartitioning ? dependencies[0]!.rdd.partitioner : undefined;
  }

  getPartitions(): Partition[] {
    return [...this.dependencies[0]!.rdd.partitions];
  }

  *compute(split: Partition, ctx: TaskContext): Iterable<T[]> {
    const parent = this.dependencies[0]!.rdd;
    const s = this.sampler;
    const rng = new SeededRandom(partitionSeed(s.seed, split.index));
    for (const batch of parent.iterator(split, ctx) as Iterable<T[]>) {
      const out: T[] = [];
      for (const x of batch) {
        if (s.kind === 'poisson') {
          for (let k = rng.nextPoisson(s.fraction); k > 0; k--) out.push(x);
        } else {
          const u = rng.next();
          if (s.kind === 'bernoulli' ? u < s.fraction : u >= s.lower && u < s.upper) out.push(x);
        }
      }
      if (out.length > 0) yield out;
    }
  }

  toWire(): unknown {
    return { sampler: this.sampler, preservesPartitioning: this.preservesPartitioning };
  }
}
