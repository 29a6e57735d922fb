import type { Dependency } from '../Dependency.js';
import type { Partition } from '../Partition.js';
import type { Partitioner } from '../Partitioner.js';
import type { RDDNode } from '../RDDNode.js';
import type { TaskContext } from '../TaskContext.js';

/**
 * `union` of RDDs that share one partitioner: partition i is the union of every parent's
 * partition i, so the result keeps the partitioner (and later joins need no shuffle).
 */
export class PartitionerAwareUnionNode<T> implements RDDNode<T> {
  readonly kind = 'partitionerAwareUnion';
  readonly displayName = 'PartitionerAwareUnionRDD';
  readonly partitioner: Partitioner | undefined;

  constructor(readonly dependencies: readonly Dependency[]) {
    this.partitioner = dependencies[0]?.rdd.partitioner;
  }

  getPartitions(): Partition[] {
    const n = this.partitioner?.numPartitions ?? 0;
    return Array.from({ length: n }, (_, index) => ({ index }));
  }

  *compute(split: Partition, ctx: TaskContext): Iterable<T[]> {
    for (const dep of this.dependencies) {
      yield* dep.rdd.iterator(dep.rdd.partitions[split.index]!, ctx) as Iterable<T[]>;
    }
  }

  toWire(): unknown {
    return {};
  }
}
