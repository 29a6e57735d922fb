import { UserInputError } from '../../common/errors/UserInputError.js';
import type { InputFile } from './InputFile.js';
import { isGzipPath } from './isGzipPath.js';
import type { TextSplit } from './TextSplit.js';

/** Hadoop's SPLIT_SLOP: a file's last split may be up to 10% larger rather than leave a tiny tail split. */
const SPLIT_SLOP = 1.1;

/**
 * Cuts files into byte-range splits the way Hadoop's FileInputFormat does: the split size is
 * `max(1, min(maxSplitBytes, floor(totalSize / max(minPartitions, 1))))`, so a single file of at
 * least `minPartitions` bytes gives at least `minPartitions` splits. `.gz` files are not
 * splittable and give one split each; an empty file gives one empty split so that every file is
 * represented. Split indexes run 0.. in file order.
 */
export function planTextSplits(files: readonly InputFile[], minPartitions: number, maxSplitBytes: number): TextSplit[] {
  if (!Number.isInteger(minPartitions) || minPartitions < 0) {
    throw new UserInputError(`minPartitions must be a non-negative integer, got ${minPartitions}`, {
      code: 'INVALID_ARGUMENT',
    });
  }
  if (!Number.isSafeInteger(maxSplitBytes) || maxSplitBytes < 1) {
    throw new UserInputError(`maxSplitBytes must be a positive integer, got ${maxSplitBytes}`, {
      code: 'INVALID_ARGUMENT',
    });
  }
  const totalSize = files.reduce((sum, f) => sum + f.size, 0);
  const goalSize = Math.floor(totalSize / Math.max(minPartitions, 1));
  const splitSize = Math.max(1, Math.min(maxSplitBytes, goalSize));

  const splits: TextSplit[] = [];
  const add = (path: string, start: number, length: number, compressed: boolean): void => {
    splits.push({ index: splits.length, path, start, length, compressed });
  };
  for (const file of files) {
    if (isGzipPath(file.path)) {
      add(file.path, 0, file.size, true);
      continue;
    }
    let remaining = file.size;
    while (remaining / splitSize > SPLIT_SLOP) {
      add(file.path, file.size - remaining, splitSize, false);
      remaining -= splitSize;
    }
    if (remaining > 0 || file.size === 0) add(file.path, file.size - remaining, remaining, false);
  }
  return splits;
}
