import type { Partitioner, PartitionerWire } from './Partitioner.js';

/**
 * Keys are already partition indices (Spark's PartitionIdPassthrough): `coalesce` with a
 * shuffle deals records round robin by numbering them, and hashing those numbers would
 * scatter them unevenly.
 */
export class PassthroughPartitioner implements Partitioner {
  constructor(readonly numPartitions: number) {
    if (!Number.isInteger(numPartitions) || numPartitions < 1) {
      throw new Error(`internal: PassthroughPartitioner needs a positive whole number of partitions, got ${numPartitions}`);
    }
  }

  getPartition(key: unknown): number {
    if (typeof key !== 'number' || !Number.isInteger(key) || key < 0 || key >= this.numPartitions) {
      throw new Error(`internal: PassthroughPartitioner got key ${String(key)}, not a partition index below ${this.numPartitions}`);
    }
    return key;
  }

  equals(other: Partitioner | undefined): boolean {
    return other instanceof PassthroughPartitioner && other.numPartitions === this.numPartitions;
  }

  toWire(): PartitionerWire {
    return { kind: 'passthrough', numPartitions: this.numPartitions };
  }
}
