import type { Dependency } from '../Dependency.js';
import { listInputFiles } from '../io/listInputFiles.js';
import { planWholeFileSplits } from '../io/planWholeFileSplits.js';
import type { WholeFileSplit } from '../io/WholeFileSplit.js';
import { readObjectFile } from '../output/readObjectFile.js';
import type { Partition } from '../Partition.js';
import type { RDDNode } from '../RDDNode.js';
import type { TaskContext } from '../TaskContext.js';

/**
 * `sc.objectFile`: the records `saveAsObjectFile` wrote. Files are never divided: a partition
 * reads one or more whole part files, so there are at most as many partitions as files.
 */
export class ObjectFileNode<T> implements RDDNode<T> {
  readonly kind = 'objectFile';
  readonly displayName = 'ObjectFileRDD';
  readonly dependencies: readonly Dependency[] = [];

  constructor(
    private readonly path: string,
    private readonly minPartitions: number,
  ) {}

  getPartitions(): Partition[] {
    return planWholeFileSplits(listInputFiles(this.path), this.minPartitions);
  }

  *compute(split: Partition, ctx: TaskContext): Iterable<T[]> {
    for (const file of (split as WholeFileSplit).files) {
      for (const batch of readObjectFile(file.path)) {
        ctx.metrics.recordsRead += batch.length;
        yield batch as T[];
      }
      ctx.metrics.bytesRead += file.size;
    }
  }

  toWire(): unknown {
    return { path: this.path, minPartitions: this.minPartitions };
  }
}
