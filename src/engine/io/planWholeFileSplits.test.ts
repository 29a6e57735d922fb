import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UserInputError } from '../../common/errors/UserInputError.js';
import type { InputFile } from './InputFile.js';
import { planWholeFileSplits } from './planWholeFileSplits.js';
import type { WholeFileSplit } from './WholeFileSplit.js';

const OPEN_COST = 64 * 1024;
const files = (...sizes: number[]): InputFile[] => sizes.map((size, i) => ({ path: `/d/f${i}`, size }));
const sizesOf = (splits: readonly WholeFileSplit[]): number[][] => splits.map((s) => s.files.map((f) => f.size));
const weight = (split: WholeFileSplit): number => split.files.reduce((sum, f) => sum + f.size + OPEN_COST, 0);

/** The least possible largest-split weight over all ways to cut `sizes` into `count` consecutive groups. */
function bestMaxWeight(sizes: readonly number[], count: number): number {
  if (count === 1) return sizes.reduce((sum, s) => sum + s + OPEN_COST, 0);
  let best = Infinity;
  let first = 0;
  for (let cut = 1; cut <= sizes.length - count + 1; cut++) {
    first += sizes[cut - 1]! + OPEN_COST;
    best = Math.min(best, Math.max(first, bestMaxWeight(sizes.slice(cut), count - 1)));
  }
  return best;
}

describe('planWholeFileSplits', () => {
  it('balances consecutive files by size', () => {
    const MiB = 1024 * 1024;
    expect(sizesOf(planWholeFileSplits(files(10 * MiB, 1, 1, 1, 10 * MiB), 2))).toEqual([
      [10 * MiB, 1, 1],
      [1, 10 * MiB],
    ]);
    expect(sizesOf(planWholeFileSplits(files(30 * MiB, 10 * MiB, 10 * MiB, 10 * MiB), 2))).toEqual([
      [30 * MiB],
      [10 * MiB, 10 * MiB, 10 * MiB],
    ]);
  });

  it('spreads empty files by count', () => {
    expect(sizesOf(planWholeFileSplits(files(0, 0, 0, 0, 0, 0), 3))).toEqual([
      [0, 0],
      [0, 0],
      [0, 0],
    ]);
  });

  it('makes no more splits than files, and at least one', () => {
    expect(planWholeFileSplits(files(5, 6), 10).map((s) => s.index)).toEqual([0, 1]);
    expect(planWholeFileSplits(files(5, 6), 0)).toEqual([{ index: 0, files: files(5, 6) }]);
    expect(planWholeFileSplits([], 4)).toEqual([]);
  });

  it('keeps every file once, in order, in exactly min(files, minPartitions) splits with the least largest split', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 0, max: 10_000_000 })), {
          maxLength: 9,
        }),
        fc.integer({ min: 0, max: 12 }),
        (sizes, minPartitions) => {
          const input = files(...sizes);
          const splits = planWholeFileSplits(input, minPartitions);
          const count = Math.min(sizes.length, Math.max(minPartitions, 1));
          expect(splits.length).toBe(count);
          expect(splits.map((s) => s.index)).toEqual(splits.map((_, i) => i));
          expect(splits.every((s) => s.files.length > 0)).toBe(true);
          expect(splits.flatMap((s) => s.files)).toEqual(input);
          if (count > 0) expect(Math.max(...splits.map(weight))).toBe(bestMaxWeight(sizes, count));
        },
      ),
    );
  });

  it('rejects a bad minPartitions', () => {
    expect(() => planWholeFileSplits(files(1), -2)).toThrow(UserInputError);
  });
});
