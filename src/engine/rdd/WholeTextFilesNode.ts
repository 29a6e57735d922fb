import type { Dependency } from '../Dependency.js';
import { listInputFiles } from '../io/listInputFiles.js';
import { planWholeFileSplits } from '../io/planWholeFileSplits.js';
import { readWholeFiles } from '../io/readWholeFiles.js';
import type { WholeFileSplit } from '../io/WholeFileSplit.js';
import type { Partition } from '../Partition.js';
import type { RDDNode } from '../RDDNode.js';

/** `sc.wholeTextFiles`: one `[path, content]` record per file. */
export class WholeTextFilesNode implements RDDNode<[string, string]> {
  readonly kind = 'wholeTextFiles';
  readonly displayName = 'WholeTextFileRDD';
  readonly dependencies: readonly Dependency[] = [];

  constructor(
    private readonly path: string,
    private readonly minPartitions: number,
  ) {}

  getPartitions(): Partition[] {
    return planWholeFileSplits(listInputFiles(this.path), this.minPartitions);
  }

  compute(split: Partition): Iterable<[string, string][]> {
    return readWholeFiles(split as WholeFileSplit);
  }

  toWire(): unknown {
    return { path: this.path, minPartitions: this.minPartitions };
  }
}
