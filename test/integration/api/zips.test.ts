import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobFailedError, UserInputError, type SparkContext } from '../../../src/index.js';
import { RUNS, ints, newContext, rejection, sliceRef, slices, smallInt, words } from './helpers.js';

describe('zips', () => {
  let sc: SparkContext;
  beforeAll(() => {
    sc = newContext('api-zips');
  });
  afterAll(async () => {
    await sc.stop();
  });

  it('zip pairs the i-th elements of equally sliced RDDs', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(smallInt, fc.string({ maxLength: 3 })), { maxLength: 25 }), slices, async (xys, k) => {
        const xs = xys.map((p) => p[0]);
        const ys = xys.map((p) => p[1]);
        const z = sc.parallelize(xs, k).zip(sc.parallelize(ys, k));
        expect(z.getNumPartitions()).toBe(k);
        expect(await z.collect()).toEqual(xys);
        // With a derived RDD of the same sizes.
        const base = sc.parallelize(xs, k);
        expect(await base.zip(base.map((x) => x * 2)).collect()).toEqual(xs.map((x) => [x, x * 2]));
      }),
      { numRuns: RUNS },
    );
    expect(await sc.emptyRDD<number>().zip(sc.emptyRDD<string>()).collect()).toEqual([]);
  });

  it('zip needs the same partition count (error at the call)', () => {
    const a = sc.parallelize([1, 2, 3, 4], 2);
    const b = sc.parallelize([1, 2, 3, 4], 3);
    let error: unknown;
    try {
      a.zip(b);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UserInputError);
    expect((error as UserInputError).code).toBe('ZIP_PARTITION_MISMATCH');
    expect(() => a.zipPartitions(b, (x) => x)).toThrow(UserInputError);
  });

  it('zip needs equal partition sizes (error when run)', async () => {
    await fc.assert(
      fc.asyncProperty(ints, slices, fc.integer({ min: 1, max: 3 }), async (xs, k, extra) => {
        const ys = [...xs, ...Array.from({ length: extra }, (_, i) => i)];
        const z = sc.parallelize(xs, k).zip(sc.parallelize(ys, k)); // lazily fine
        const e = await rejection(z.collect());
        expect(e instanceof JobFailedError || e instanceof UserInputError).toBe(true);
        expect(e.message).toMatch(/same number of elements/);
      }),
      { numRuns: 8 },
    );
  });

  it('zipPartitions hands both partitions to the function', async () => {
    await fc.assert(
      fc.asyncProperty(ints, words, slices, async (xs, ws, k) => {
        const got = await sc
          .parallelize(xs, k)
          .zipPartitions(sc.parallelize(ws, k), (a, b) => {
            const left = [...a];
            const right = [...b];
            return [[left.length, right.join('|'), left.reduce((s, x) => s + x, 0)]];
          })
          .collect();
        const sx = sliceRef(xs, k);
        const sw = sliceRef(ws, k);
        expect(got).toEqual(sx.map((s, i) => [s.length, sw[i]!.join('|'), s.reduce((a, b) => a + b, 0)]));
      }),
      { numRuns: RUNS },
    );
  });

  it('zipWithIndex numbers elements in RDD order, across uneven and empty partitions', async () => {
    await fc.assert(
      fc.asyncProperty(ints, slices, async (xs, k) => {
        expect(await sc.parallelize(xs, k).zipWithIndex().collect()).toEqual(xs.map((x, i) => [x, i]));
        const kept = xs.filter((x) => x % 2 === 0);
        const zipped = sc.parallelize(xs, k).filter((x) => x % 2 === 0).zipWithIndex();
        expect(await zipped.collect()).toEqual(kept.map((x, i) => [x, i]));
        expect(await zipped.count()).toBe(kept.length);
      }),
      { numRuns: RUNS },
    );
    expect(await sc.emptyRDD<number>().zipWithIndex().collect()).toEqual([]);
  });

  it('zipWithUniqueId gives element j of partition p the id j*n + p', async () => {
    await fc.assert(
      fc.asyncProperty(ints, slices, async (xs, k) => {
        const got = await sc.parallelize(xs, k).filter((x) => x % 3 !== 0).zipWithUniqueId().collect();
        const expected = sliceRef(xs, k).flatMap((s, p) => s.filter((x) => x % 3 !== 0).map((x, j) => [x, j * k + p]));
        expect(got).toEqual(expected);
        expect(new Set(got.map((kv) => kv[1])).size).toBe(got.length);
      }),
      { numRuns: RUNS },
    );
    expect(await sc.emptyRDD<number>().zipWithUniqueId().collect()).toEqual([]);
  });
});
