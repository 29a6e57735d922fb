import { hashKey } from '../common/keys/hashKey.js';
import { UserInputError } from '../common/errors/UserInputError.js';
import type { Partitioner, PartitionerWire } from './Partitioner.js';

/**
 * Places a key by a fixed hash of its canonical encoding, so the same key lands in the same
 * partition in every process and on every run.
 */
export class HashPartitioner implements Partitioner {
  constructor(readonly numPartitions: number) {
    if (!Number.isInteger(numPartitions) || numPartitions < 1) {
      throw new UserInputError(`HashPartitioner needs a positive whole number of partitions, got ${numPartitions}`);
    }
  }

  getPartition(key: unknown): number {
    return this.numPartitions === 1 ? 0 : hashKey(key) % this.numPartitions;
  }

  equals(other: Partitioner | undefined): boolean {
    return other instanceof HashPartitioner && other.numPartitions === this.numPartitions;
  }

  toWire(): PartitionerWire {
    return { kind: 'hash', numPartitions: this.numPartitions };
  }
}
