import type { Aggregator } from '../Aggregator.js';
import type { Dependency } from '../Dependency.js';
import type { Partition } from '../Partition.js';
import type { Partitioner } from '../Partitioner.js';
import type { RDDNode } from '../RDDNode.js';
import type { TaskContext } from '../TaskContext.js';
import { asPair } from './MapPartitionsNode.js';

/**
 * `cogroup`: for each key, the values from every parent. A parent already partitioned by the
 * target partitioner is read through a one-to-one dependency: no shuffle. Groups are built by
 * the executor's spilling combiner, so a partition larger than memory still cogroups.
 */
export class CoGroupedNode<K> implements RDDNode<[K, unknown[][]]> {
  readonly kind = 'coGrouped';
  readonly displayName = 'CoGroupedRDD';

  constructor(
    readonly dependencies: readonly Dependency[],
    readonly partitioner: Partitioner,
  ) {}

  async prepare(): Promise<void> {
    await this.partitioner.prepare?.();
  }

  getPartitions(): Partition[] {
    return Array.from({ length: this.partitioner.numPartitions }, (_, index) => ({ index }));
  }

  compute(split: Partition, ctx: TaskContext): Iterable<[K, unknown[][]][]> {
    const n = this.dependencies.length;
    // The combiner sees one parent at a time; `current` says which list a value joins.
    let current = 0;
    const newLists = (): unknown[][] => {
      const lists: unknown[][] = [];
      for (let i = 0; i < n; i++) lists.push([]);
      return lists;
    };
    const aggregator: Aggregator<unknown, unknown[][]> = {
      createCombiner(v) {
        const lists = newLists();
        lists[current]!.push(v);
        return lists;
      },
      mergeValue(lists, v) {
        lists[current]!.push(v);
        return lists;
      },
      // Spilled groups meet again in the merge: append list by list, keeping parents apart.
      mergeCombiners(a, b) {
        for (let i = 0; i < n; i++) {
          const into = a[i]!;
          const from = b[i]!;
          for (let j = 0; j < from.length; j++) into.push(from[j]);
        }
        return a;
      },
    };
    const dependencies = this.dependencies;
    function* tagged(): Generator<[unknown, unknown][]> {
      for (let i = 0; i < n; i++) {
        const dep = dependencies[i]!;
        const input =
          dep.type === 'shuffle'
            ? ctx.runtime.readShuffle(dep, split.index, split.index + 1, ctx)
            : dep.rdd.iterator(dep.rdd.partitions[split.index]!, ctx);
        for (const batch of input) {
          for (let r = 0; r < batch.length; r++) asPair(batch[r], 'cogroup');
          current = i;
          yield batch as [unknown, unknown][];
        }
      }
    }
    return ctx.runtime.combineByKey(tagged(), aggregator as Aggregator<unknown, unknown>, ctx) as Iterable<[K, unknown[][]][]>;
  }

  toWire(): unknown {
    return { partitioner: this.partitioner.toWire() };
  }
}
