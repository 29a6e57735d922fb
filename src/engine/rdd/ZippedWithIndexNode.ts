import type { Closure } from '../../common/closure/Closure.js';
import type { Dependency } from '../Dependency.js';
import type { Partition } from '../Partition.js';
import type { PartitionFunction } from '../RDDContext.js';
import type { RDDNode } from '../RDDNode.js';
import type { TaskContext } from '../TaskContext.js';

interface IndexedPartition extends Partition {
  readonly startIndex: number;
}

/**
 * `zipWithIndex`: element j of partition i gets index (elements before partition i) + j.
 * The offsets need a counting job, which `prepare` runs before the first job that uses this.
 */
export class ZippedWithIndexNode<T> implements RDDNode<[T, number]> {
  readonly kind = 'zippedWithIndex';
  readonly displayName = 'ZippedWithIndexRDD';
  #startIndices: number[] | undefined;

  constructor(
    readonly dependencies: readonly Dependency[],
    private readonly countPartition: Closure<PartitionFunction<unknown, number>> | undefined,
  ) {}

  async prepare(): Promise<void> {
    if (this.#startIndices !== undefined || this.countPartition === undefined) return;
    const parent = this.dependencies[0]!.rdd;
    const n = parent.partitions.length;
    // The last partition's count is never needed.
    const counts =
      n > 1
        ? await parent.context.runJob(parent, this.countPartition, {
            partitions: Array.from({ length: n - 1 }, (_, i) => i),
            description: 'zipWithIndex',
          })
        : [];
    const starts = [0];
    for (const c of counts) starts.push(starts[starts.length - 1]! + c);
    this.#startIndices = starts.slice(0, n);
  }

  getPartitions(): Partition[] {
    const starts = this.#startIndices;
    if (starts === undefined) throw new Error('internal: zipWithIndex partitions requested before prepare()');
    return this.dependencies[0]!.rdd.partitions.map((_, index): IndexedPartition => ({ index, startIndex: starts[index]! }));
  }

  *compute(split: Partition, ctx: TaskContext): Iterable<[T, number][]> {
    const parent = this.dependencies[0]!.rdd;
    let i = (split as IndexedPartition).startIndex;
    for (const batch of parent.iterator(parent.partitions[split.index]!, ctx) as Iterable<T[]>) {
      const out = new Array<[T, number]>(batch.length);
      for (let j = 0; j < batch.length; j++) out[j] = [batch[j]!, i++];
      yield out;
    }
  }

  toWire(): unknown {
    return {};
  }
}
