import { BATCH_SIZE } from '../batchSize.js';
import type { Dependency } from '../Dependency.js';
import type { Partition } from '../Partition.js';
import type { RDDNode } from '../RDDNode.js';
import type { TaskContext } from '../TaskContext.js';

interface CartesianPartition extends Partition {
  readonly left: number;
  readonly right: number;
}

/** `cartesian`: every pair of a left partition and a right partition is one partition. */
export class CartesianNode<A, B> implements RDDNode<[A, B]> {
  readonly kind = 'cartesian';
  readonly displayName = 'CartesianRDD';

  constructor(readonly dependencies: readonly Dependency[]) {}

  getPartitions(): Partition[] {
    const nRight = this.dependencies[1]!.rdd.partitions.length;
    const nLeft = this.dependencies[0]!.rdd.partitions.length;
    const parts: CartesianPartition[] = [];
    for (let l = 0; l < nLeft; l++) for (let r = 0; r < nRight; r++) parts.push({ index: parts.length, left: l, right: r });
    return parts;
  }

  *compute(split: Partition, ctx: TaskContext): Iterable<[A, B][]> {
    const { left, right } = split as CartesianPartition;
    const l = this.dependencies[0]!.rdd;
    const r = this.dependencies[1]!.rdd;
    // The right side is read once and kept, rather than recomputed for every left element.
    const rights: B[] = [];
    for (const batch of r.iterator(r.partitions[right]!, ctx)) for (const y of batch) rights.push(y as B);
    let out: [A, B][] = [];
    for (const batch of l.iterator(l.partitions[left]!, ctx)) {
      for (const x of batch) {
        for (const y of rights) {
          out.push([x as A, y]);
          if (out.length >= BATCH_SIZE) {
            yield out;
            out = [];
          }
        }
      }
    }
    if (out.length > 0) yield out;
  }

  toWire(): unknown {
    return {};
  }
}
