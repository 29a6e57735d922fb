import type { Partition } from '../Partition.js';
import type { InputFile } from './InputFile.js';

/** A group of whole input files that one `wholeTextFiles` task reads. Plain data, shipped to executors. */
export interface WholeFileSplit extends Partition {
  readonly index: number;
  readonly files: readonly InputFile[];
}
