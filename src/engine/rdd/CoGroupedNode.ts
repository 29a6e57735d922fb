import { KeyMap } from '../../common/keys/KeyMap.js';
import { BATCH_SIZE } from '../batchSize.js';
import type { Dependency } from '../Dependency.js';
import type { Partition } from '../Partition.js';
import type { Partitioner } from '../Partitioner.js';
import type { RDDNode } from '../RDDNode.js';
import type { TaskContext } from '../TaskContext.js';
import { asPair } from './MapPartitionsNode.js';

/**
 * `cogroup`: for each key, the values from every parent. A parent already partitioned by the
 * target partitioner is read through a one-to-one dependency: no shuffle.
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

  *compute(split: Partition, ctx: TaskContext): Iterable<[K, unknown[][]][]> {
    const n = this.dependencies.length;
    const groups = new KeyMap<K, unknown[][]>();
    this.dependencies.forEach((dep, i) => {
      const input =
        dep.type === 'shuffle'
          ? ctx.runtime.readShuffle(dep, split.index, split.index + 1, ctx)
          : dep.rdd.iterator(dep.rdd.partitions[split.index]!, ctx);
      for (const batch of input) {
        for (let r = 0; r < batch.length; r++) {
          const [k, v] = asPair(batch[r], 'cogroup');
          let lists = groups.get(k as K);
          if (lists === undefined) {
            lists = Array.from({ length: n }, () => []);
            groups.set(k as K, lists);
          }
          lists[i]!.push(v);
        }
      }
    });
    let out: [K, unknown[][]][] = [];
    for (const entry of groups.entries()) {
      out.push(entry);
      if (out.length >= BATCH_SIZE) {
        yield out;
        out = [];
      }
    }
    if (out.length > 0) yield out;
  }

  toWire(): unknown {
    return { partitioner: this.partitioner.toWire() };
  }
}
