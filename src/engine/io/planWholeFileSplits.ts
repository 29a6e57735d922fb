import { UserInputError } from '../../common/errors/UserInputError.js';
import type { InputFile } from './InputFile.js';
import type { WholeFileSplit } from './WholeFileSplit.js';

/**
 * What opening a file costs, in bytes of reading. Without it a run of empty files would all land
 * in one split; with it, many small files spread over the splits by count.
 */
const FILE_OPEN_COST = 64 * 1024;

/**
 * Groups whole files into `min(files.length, max(minPartitions, 1))` splits of consecutive files
 * (path order is kept, so the RDD's order is the listing order), choosing the cut points that
 * minimise the largest split's weight (size plus a small per-file cost). No file is ever divided.
 */
export function planWholeFileSplits(files: readonly InputFile[], minPartitions: number): WholeFileSplit[] {
  if (!Number.isInteger(minPartitions) || minPartitions < 0) {
    throw new UserInputError(`minPartitions must be a non-negative integer, got ${minPartitions}`, {
      code: 'INVALID_ARGUMENT',
    });
  }
  const count = Math.min(files.length, Math.max(minPartitions, 1));
  if (count === 0) return [];
  const weights = files.map((f) => f.size + FILE_OPEN_COST);
  const capacity = smallestCapacity(weights, count);

  const splits: WholeFileSplit[] = [];
  let i = 0;
  for (let index = 0; index < count; index++) {
    const groupsAfter = count - index - 1;
    const group: InputFile[] = [];
    let weight = 0;
    // Take files while they fit, but leave at least one file for every later split.
    while (i < files.length && files.length - i > groupsAfter) {
      const w = weights[i]!;
      if (group.length > 0 && weight + w > capacity) break;
      group.push(files[i]!);
      weight += w;
      i++;
    }
    splits.push({ index, files: group });
  }
  return splits;
}

/** Binary search for the least per-split capacity with which greedy packing needs at most `count` splits. */
function smallestCapacity(weights: readonly number[], count: number): number {
  // Not Math.max(...weights): spreading 100k+ arguments overflows the stack.
  let lo = weights.reduce((a, b) => Math.max(a, b), 0);
  let hi = weights.reduce((a, b) => a + b, 0);
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (groupsNeeded(weights, mid) <= count) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

function groupsNeeded(weights: readonly number[], capacity: number): number {
  let groups = 1;
  let weight = 0;
  for (const w of weights) {
    if (weight + w > capacity) {
      groups++;
      weight = 0;
    }
    weight += w;
  }
  return groups;
}
