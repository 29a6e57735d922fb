import type { Dependency } from '../engine/Dependency.js';
import type { Partition } from '../engine/Partition.js';
import type { Partitioner } from '../engine/Partitioner.js';
import type { RDDNode } from '../engine/RDDNode.js';
import type { TaskContext } from '../engine/TaskContext.js';
import { checkpointStorageFromWire, type CheckpointStorage, type CheckpointStorageWire } from './CheckpointStorage.js';
import { readCheckpointPartition } from './checkpointFiles.js';

/**
 * The lineage of a reliably checkpointed RDD, and `sc.checkpointFile()`: partitions are read
 * from checkpoint files (see checkpointFiles.ts), with no dependencies.
 */
export class ReliableCheckpointNode<T> implements RDDNode<T> {
  readonly kind = 'reliableCheckpoint';
  readonly displayName = 'ReliableCheckpointRDD';
  readonly dependencies: readonly Dependency[] = [];
  #storage: CheckpointStorage | undefined;

  constructor(
    private readonly storageWire: CheckpointStorageWire,
    private readonly numPartitions: number,
    /** The checkpointed RDD's partitioner, kept on the driver (executors do not need it). */
    readonly partitioner?: Partitioner | undefined,
  ) {}

  getPartitions(): Partition[] {
    return Array.from({ length: this.numPartitions }, (_, index) => ({ index }));
  }

  *compute(split: Partition, ctx: TaskContext): Iterable<T[]> {
    this.#storage ??= checkpointStorageFromWire(this.storageWire);
    const batches = readCheckpointPartition(this.#storage, split.index) as T[][];
    for (const batch of batches) {
      ctx.metrics.recordsRead += batch.length;
      yield batch;
    }
  }

  toWire(): unknown {
    return { storage: this.storageWire, numPartitions: this.numPartitions };
  }
}
