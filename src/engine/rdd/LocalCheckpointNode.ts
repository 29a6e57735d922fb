import { CheckpointError } from '../../common/errors/CheckpointError.js';
import type { Dependency } from '../Dependency.js';
import type { Partition } from '../Partition.js';
import type { RDDNode } from '../RDDNode.js';
import type { TaskContext } from '../TaskContext.js';

/**
 * Replaces the lineage of a locally checkpointed RDD (`rdd.localCheckpoint()`). The partitions
 * live only in executors' block managers (the RDD stays persisted); the RDD's iterator reads
 * them from there, so this node is computed only when a block is gone, which is an error:
 * there is no lineage left to recompute it from.
 */
export class LocalCheckpointNode<T> implements RDDNode<T> {
  readonly kind = 'localCheckpoint';
  readonly displayName = 'LocalCheckpointRDD';
  readonly dependencies: readonly Dependency[] = [];

  constructor(
    private readonly numPartitions: number,
    private readonly rddId: number,
  ) {}

  getPartitions(): Partition[] {
    return Array.from({ length: this.numPartitions }, (_, index) => ({ index }));
  }

  compute(split: Partition, ctx: TaskContext): Iterable<T[]> {
    throw new CheckpointError(
      'CHECKPOINT_MISSING',
      `locally checkpointed block rdd_${this.rddId}_${split.index} is missing on executor ${ctx.executorId}: the executor that held it was lost, or the RDD was unpersisted. ` +
        'localCheckpoint() keeps partitions only in executor storage and cannot recompute them; use sc.setCheckpointDir() and checkpoint() for fault-tolerant checkpoints',
    );
  }

  toWire(): unknown {
    return { numPartitions: this.numPartitions, rddId: this.rddId };
  }
}
