import { BATCH_SIZE } from '../batchSize.js';
import type { Dependency } from '../Dependency.js';
import type { Partition } from '../Partition.js';
import type { RDDNode } from '../RDDNode.js';

interface RangePartition extends Partition {
  /** First element of this slice. */
  readonly first: number;
  readonly count: number;
}

/** `sc.range(start, end, step)`: numbers generated on the executor, never materialized on the driver. */
export class RangeNode implements RDDNode<number> {
  readonly kind = 'range';
  readonly displayName = 'RangeRDD';
  readonly dependencies: readonly Dependency[] = [];

  constructor(
    private readonly start: number,
    private readonly end: number,
    private readonly step: number,
    private readonly numSlices: number,
  ) {}

  private get length(): number {
    const n = Math.ceil((this.end - this.start) / this.step);
    return Math.max(0, n);
  }

  getPartitions(): Partition[] {
    const n = this.length;
    const parts: RangePartition[] = [];
    for (let i = 0; i < this.numSlices; i++) {
      const a = Math.floor((i * n) / this.numSlices);
      const b = Math.floor(((i + 1) * n) / this.numSlices);
      parts.push({ index: i, first: this.start + a * this.step, count: b - a });
    }
    return parts;
  }

  *compute(split: Partition): Iterable<number[]> {
    const { first, count } = split as RangePartition;
    for (let i = 0; i < count; i += BATCH_SIZE) {
      const m = Math.min(BATCH_SIZE, count - i);
      const out = new Array<number>(m);
      for (let j = 0; j < m; j++) out[j] = first + (i + j) * this.step;
      yield out;
    }
  }

  toWire(): unknown {
    return { start: this.start, end: this.end, step: this.step, numSlices: this.numSlices };
  }
}
