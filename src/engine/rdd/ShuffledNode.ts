import type { Dependency, ShuffleDependency } from '../Dependency.js';
import type { Partition } from '../Partition.js';
import type { Partitioner } from '../Partitioner.js';
import type { RDDNode } from '../RDDNode.js';
import type { TaskContext } from '../TaskContext.js';

/** The reduce side of a shuffle: partition i is everything the map side sent to bucket i. */
export class ShuffledNode<K, C> implements RDDNode<[K, C]> {
  readonly kind = 'shuffled';
  readonly displayName = 'ShuffledRDD';

  constructor(readonly dependencies: readonly Dependency[]) {}

  private get dep(): ShuffleDependency {
    return this.dependencies[0] as ShuffleDependency;
  }

  get partitioner(): Partitioner {
    return this.dep.partitioner;
  }

  /** A range partitioner samples its bounds before the first job that needs them. */
  async prepare(): Promise<void> {
    await this.dep.partitioner.prepare?.();
  }

  getPartitions(): Partition[] {
    return Array.from({ length: this.dep.partitioner.numPartitions }, (_, index) => ({ index }));
  }

  compute(split: Partition, ctx: TaskContext): Iterable<[K, C][]> {
    return ctx.runtime.readShuffle(this.dep, split.index, split.index + 1, ctx) as Iterable<[K, C][]>;
  }

  toWire(): unknown {
    return {};
  }
}
