import type { Dependency, TableDependency } from '../Dependency.js';
import type { Partition } from '../Partition.js';
import type { RDDNode } from '../RDDNode.js';
import type { TaskContext } from '../TaskContext.js';

/** `coalesce` without shuffle: each partition reads a contiguous group of parent partitions. */
export class CoalescedNode<T> implements RDDNode<T> {
  readonly kind = 'coalesced';
  readonly displayName = 'CoalescedRDD';

  constructor(readonly dependencies: readonly Dependency[]) {}

  /** Contiguous, balanced groups: partition i takes parents [floor(i*n/k), floor((i+1)*n/k)). */
  static groups(numParents: number, numPartitions: number): number[][] {
    const k = Math.min(numPartitions, numParents);
    return Array.from({ length: k }, (_, i) => {
      const from = Math.floor((i * numParents) / k);
      const to = Math.floor(((i + 1) * numParents) / k);
      return Array.from({ length: to - from }, (_, j) => from + j);
    });
  }

  private get dep(): TableDependency {
    return this.dependencies[0] as TableDependency;
  }

  getPartitions(): Partition[] {
    return this.dep.parentsByPartition.map((_, index) => ({ index }));
  }

  preferredLocations(split: Partition): readonly string[] {
    const parent = this.dep.rdd;
    const first = this.dep.getParents(split.index)[0];
    return first === undefined ? [] : parent.preferredLocations(parent.partitions[first]!);
  }

  *compute(split: Partition, ctx: TaskContext): Iterable<T[]> {
    const parent = this.dep.rdd;
    for (const p of this.dep.getParents(split.index)) {
      yield* parent.iterator(parent.partitions[p]!, ctx) as Iterable<T[]>;
    }
  }

  toWire(): unknown {
    return {};
  }
}
