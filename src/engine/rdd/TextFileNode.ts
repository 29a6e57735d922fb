import type { Dependency } from '../Dependency.js';
import { listInputFiles } from '../io/listInputFiles.js';
import { planTextSplits } from '../io/planTextSplits.js';
import { readTextSplit } from '../io/readTextSplit.js';
import type { TextSplit } from '../io/TextSplit.js';
import type { Partition } from '../Partition.js';
import type { RDDNode } from '../RDDNode.js';
import type { TaskContext } from '../TaskContext.js';

/** `sc.textFile`: lines of files, split at line boundaries (Hadoop's LineRecordReader rules). */
export class TextFileNode implements RDDNode<string> {
  readonly kind = 'textFile';
  readonly displayName = 'TextFileRDD';
  readonly dependencies: readonly Dependency[] = [];

  constructor(
    private readonly path: string,
    private readonly minPartitions: number,
    private readonly maxSplitBytes: number,
  ) {}

  getPartitions(): Partition[] {
    return planTextSplits(listInputFiles(this.path), this.minPartitions, this.maxSplitBytes);
  }

  *compute(split: Partition, ctx: TaskContext): Iterable<string[]> {
    const s = split as TextSplit;
    for (const batch of readTextSplit(s)) {
      ctx.metrics.recordsRead += batch.length;
      yield batch;
    }
    ctx.metrics.bytesRead += s.length;
  }

  toWire(): unknown {
    return { path: this.path, minPartitions: this.minPartitions, maxSplitBytes: this.maxSplitBytes };
  }
}
