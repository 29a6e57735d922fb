import type { Dependency, RangeDependency } from '../Dependency.js';
import type { Partition } from '../Partition.js';
import type { RDDNode } from '../RDDNode.js';
import type { TaskContext } from '../TaskContext.js';

interface UnionPartition extends Partition {
  readonly parent: number;
  readonly parentIndex: number;
}

/** `union`: the parents' partitions side by side (a range dependency per parent). */
export class UnionNode<T> implements RDDNode<T> {
  readonly kind = 'union';
  readonly displayName = 'UnionRDD';

  constructor(readonly dependencies: readonly Dependency[]) {}

  getPartitions(): Partition[] {
    const parts: UnionPartition[] = [];
    this.dependencies.forEach((dep, parent) => {
      const r = dep as RangeDependency;
      for (let i = 0; i < r.length; i++) parts.push({ index: parts.length, parent, parentIndex: r.inStart + i });
    });
    return parts;
  }

  private parentSplit(split: Partition): { dep: Dependency; split: Partition } {
    const p = split as UnionPartition;
    const dep = this.dependencies[p.parent]!;
    return { dep, split: dep.rdd.partitions[p.parentIndex]! };
  }

  preferredLocations(split: Partition): readonly string[] {
    const { dep, split: s } = this.parentSplit(split);
    return dep.rdd.preferredLocations(s);
  }

  compute(split: Partition, ctx: TaskContext): Iterable<T[]> {
    const { dep, split: s } = this.parentSplit(split);
    return dep.rdd.iterator(s, ctx) as Iterable<T[]>;
  }

  toWire(): unknown {
    return {};
  }
}
