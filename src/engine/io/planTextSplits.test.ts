import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UserInputError } from '../../common/errors/UserInputError.js';
import { DEFAULT_MAX_SPLIT_BYTES } from './defaultMaxSplitBytes.js';
import type { InputFile } from './InputFile.js';
import { planTextSplits } from './planTextSplits.js';

const MiB = 1024 * 1024;

describe('planTextSplits', () => {
  it('cuts a file into maxSplitBytes pieces when minPartitions is small', () => {
    const splits = planTextSplits([{ path: '/d/a', size: 200 * MiB }], 2, DEFAULT_MAX_SPLIT_BYTES);
    expect(splits.map((s) => [s.index, s.start, s.length])).toEqual([
      [0, 0, 64 * MiB],
      [1, 64 * MiB, 64 * MiB],
      [2, 128 * MiB, 64 * MiB],
      [3, 192 * MiB, 8 * MiB],
    ]);
    expect(splits.every((s) => s.path === '/d/a' && !s.compressed)).toBe(true);
  });

  it('lets the last split take up to 10% slack instead of a tiny tail', () => {
    const splits = planTextSplits([{ path: '/d/a', size: 100 + 10 }], 1, 100);
    expect(splits.map((s) => [s.start, s.length])).toEqual([[0, 110]]);
    const more = planTextSplits([{ path: '/d/a', size: 100 + 11 }], 1, 100);
    expect(more.map((s) => [s.start, s.length])).toEqual([
      [0, 100],
      [100, 11],
    ]);
  });

  it('uses totalSize / minPartitions (rounded down) as the goal size', () => {
    const splits = planTextSplits([{ path: '/d/a', size: 10 }], 3, 64 * MiB);
    expect(splits.map((s) => [s.start, s.length])).toEqual([
      [0, 3],
      [3, 3],
      [6, 3],
      [9, 1],
    ]);
  });

  it('treats minPartitions 0 as 1', () => {
    expect(planTextSplits([{ path: '/d/a', size: 10 }], 0, 64 * MiB)).toEqual([
      { index: 0, path: '/d/a', start: 0, length: 10, compressed: false },
    ]);
  });

  it('gives each .gz file one compressed split and each empty file one empty split', () => {
    const files: InputFile[] = [
      { path: '/d/a.gz', size: 300 * MiB },
      { path: '/d/b.txt', size: 0 },
      { path: '/d/c.GZ', size: 0 },
      { path: '/d/d.txt', size: 5 },
    ];
    expect(planTextSplits(files, 10, 1)).toEqual([
      { index: 0, path: '/d/a.gz', start: 0, length: 300 * MiB, compressed: true },
      { index: 1, path: '/d/b.txt', start: 0, length: 0, compressed: false },
      { index: 2, path: '/d/c.GZ', start: 0, length: 0, compressed: true },
      { index: 3, path: '/d/d.txt', start: 0, length: 1, compressed: false },
      { index: 4, path: '/d/d.txt', start: 1, length: 1, compressed: false },
      { index: 5, path: '/d/d.txt', start: 2, length: 1, compressed: false },
      { index: 6, path: '/d/d.txt', start: 3, length: 1, compressed: false },
      { index: 7, path: '/d/d.txt', start: 4, length: 1, compressed: false },
    ]);
  });

  it('returns no splits for no files', () => {
    expect(planTextSplits([], 4, 64 * MiB)).toEqual([]);
  });

  it('covers every file exactly, in order, with at least minPartitions splits for one file', () => {
    const plan = (size: fc.Arbitrary<number>, maxSplitBytes: fc.Arbitrary<number>) =>
      fc.tuple(
        fc.array(fc.record({ path: fc.constantFrom('/d/a', '/d/b', '/d/c.gz'), size }), {
          minLength: 1,
          maxLength: 6,
        }),
        fc.integer({ min: 0, max: 50 }),
        maxSplitBytes,
      );
    // Small files with tiny splits, and big files with splits big enough to keep the count sane.
    const cases = fc.oneof(
      plan(fc.integer({ min: 0, max: 1000 }), fc.integer({ min: 1, max: 2000 })),
      plan(fc.integer({ min: 0, max: 300 * MiB }), fc.integer({ min: 256 * 1024, max: 128 * MiB })),
    );
    fc.assert(
      fc.property(cases, ([files, minPartitions, maxSplitBytes]) => {
        const splits = planTextSplits(files, minPartitions, maxSplitBytes);
        expect(splits.map((s) => s.index)).toEqual(splits.map((_, i) => i));
        let at = 0;
        for (const f of files) {
          let next = 0;
          do {
            const s = splits[at++]!;
            expect(s.path).toBe(f.path);
            expect(s.start).toBe(next);
            expect(s.compressed).toBe(f.path.endsWith('.gz'));
            if (!s.compressed) expect(s.length).toBeLessThanOrEqual(maxSplitBytes * 1.1);
            next += s.length;
          } while (next < f.size);
          expect(next).toBe(f.size);
        }
        expect(at).toBe(splits.length);
        const only = files[0]!;
        if (files.length === 1 && !only.path.endsWith('.gz') && only.size >= minPartitions) {
          expect(splits.length).toBeGreaterThanOrEqual(minPartitions);
        }
      }),
    );
  });

  it('rejects bad arguments', () => {
    expect(() => planTextSplits([], -1, 10)).toThrow(UserInputError);
    expect(() => planTextSplits([], 1.5, 10)).toThrow('minPartitions must be a non-negative integer, got 1.5');
    expect(() => planTextSplits([], 1, 0)).toThrow('maxSplitBytes must be a positive integer, got 0');
  });
});
