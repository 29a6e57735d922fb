import { BATCH_SIZE } from '../batchSize.js';
import type { Dependency } from '../Dependency.js';
import type { Partition } from '../Partition.js';
import type { RDDNode } from '../RDDNode.js';

interface SlicePartition<T> extends Partition {
  readonly values: readonly T[];
}

/** `sc.parallelize`: a driver-side array cut into contiguous slices (the slices ship with the stage). */
export class ParallelCollectionNode<T> implements RDDNode<T> {
  readonly kind = 'parallelCollection';
  readonly displayName = 'ParallelCollectionRDD';
  readonly dependencies: readonly Dependency[] = [];

  constructor(
    private readonly data: readonly T[],
    private readonly numSlices: number,
  ) {}

  getPartitions(): Partition[] {
    const n = this.data.length;
    const parts: SlicePartition<T>[] = [];
    for (let i = 0; i < this.numSlices; i++) {
      // Spark's slicing: slice i holds [floor(i*n/k), floor((i+1)*n/k)).
      const start = Math.floor((i * n) / this.numSlices);
      const end = Math.floor(((i + 1) * n) / this.numSlices);
      parts.push({ index: i, values: this.data.slice(start, end) });
    }
    return parts;
  }

  *compute(split: Partition): Iterable<T[]> {
    const values = (split as SlicePartition<T>).values;
    // Copy: downstream operators own their batches, and the slice must survive for retries.
    for (let i = 0; i < values.length; i += BATCH_SIZE) yield values.slice(i, i + BATCH_SIZE);
  }

  toWire(): unknown {
    // The data travels inside the partitions.
    return { numSlices: this.numSlices };
  }
}
