import type { Partition } from '../Partition.js';

/**
 * A byte range of one input file that one task reads as lines. Plain data: it is shipped inside
 * partitions to executors. A compressed split always covers its whole file (`start` 0).
 */
export interface TextSplit extends Partition {
  readonly index: number;
  readonly path: string;
  readonly start: number;
  readonly length: number;
  readonly compressed: boolean;
}
