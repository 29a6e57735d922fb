import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareKeys } from '../common/keys/compareKeys.js';
import { mergeSortedRuns } from './mergeSortedRuns.js';

type Rec = [unknown, unknown];
const byNumber = (a: unknown, b: unknown): number => (a as number) - (b as number);

describe('mergeSortedRuns', () => {
  it('equals a stable sort of the concatenated runs, in bounded batches', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.integer({ min: 0, max: 20 }), { maxLength: 30 }), { maxLength: 6 }),
        fc.integer({ min: 1, max: 8 }),
        (keyRuns, batchSize) => {
          // Values record (run, index) so stability is observable.
          const runs: Rec[][] = keyRuns.map((keys, run) =>
            [...keys].sort((a, b) => a - b).map((k, i): Rec => [k, [run, i]]),
          );
          const batches = [...mergeSortedRuns(runs, byNumber, batchSize)];
          for (const b of batches) {
            expect(b.length).toBeGreaterThan(0);
            expect(b.length).toBeLessThanOrEqual(batchSize);
          }
          const expected = runs.flat().sort((a, b) => byNumber(a[0], b[0]));
          expect(batches.flat()).toEqual(expected);
        },
      ),
    );
  });

  it('merges by compareKeys exactly, for string keys (compared by prefix first) mixed with other keys', () => {
    const unit = fc.constantFrom('a', 'b', '\u0000', 'ÿ', 'Ā', '中', '😀');
    const key = fc.oneof(fc.string({ unit, maxLength: 8 }), fc.constantFrom('', 'a', 'a\u0000', 'aaaaaa', 'aaaaaa\u0000', 'aaaaaab'), fc.integer({ min: -3, max: 3 }), fc.constant(null));
    fc.assert(
      fc.property(fc.array(fc.array(key, { maxLength: 40 }), { maxLength: 20 }), fc.integer({ min: 1, max: 9 }), (keyRuns, batchSize) => {
        const runs: Rec[][] = keyRuns.map((keys, run) => [...keys].sort(compareKeys).map((k, i): Rec => [k, [run, i]]));
        const merged = [...mergeSortedRuns(runs, compareKeys, batchSize)].flat();
        expect(merged).toEqual(runs.flat().sort((a, b) => compareKeys(a[0], b[0])));
      }),
    );
  });

  it('yields nothing for no runs or only empty runs', () => {
    expect([...mergeSortedRuns([], byNumber)]).toEqual([]);
    expect([...mergeSortedRuns([[], []], byNumber)]).toEqual([]);
  });
});
