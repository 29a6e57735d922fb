import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HashPartitioner, UserInputError, type SparkContext } from '../../../src/index.js';
import { RUNS, expectSameMultiset, groupRef, ints, newContext, normGroups, slices, words } from './helpers.js';

const parts = fc.integer({ min: 1, max: 6 });

describe('grouping and layout', () => {
  let sc: SparkContext;
  beforeAll(() => {
    sc = newContext('api-layout');
  });
  afterAll(async () => {
    await sc.stop();
  });

  it('groupBy groups by the function (default, count and partitioner)', async () => {
    await fc.assert(
      fc.asyncProperty(words, slices, fc.option(parts, { nil: undefined }), fc.boolean(), async (xs, k, n, usePartitioner) => {
        const spec = n === undefined ? undefined : usePartitioner ? new HashPartitioner(n) : n;
        const g = sc.parallelize(xs, k).groupBy((s) => [s.length, s.slice(0, 1)], spec);
        if (n !== undefined) expect(g.getNumPartitions()).toBe(n);
        expectSameMultiset(normGroups(await g.collect()), normGroups(groupRef(xs.map((s) => [[s.length, s.slice(0, 1)], s] as const))));
      }),
      { numRuns: RUNS },
    );
  });

  it('coalesce without shuffle merges neighbouring partitions, keeps order, cannot grow', async () => {
    await fc.assert(
      fc.asyncProperty(ints, slices, fc.integer({ min: 1, max: 10 }), async (xs, k, n) => {
        const c = sc.parallelize(xs, k).coalesce(n);
        expect(c.getNumPartitions()).toBe(Math.min(n, k));
        expect(await c.collect()).toEqual(xs);
        const sizes = (await c.glom().collect()).map((p) => p.length);
        expect(sizes.reduce((a, b) => a + b, 0)).toBe(xs.length);
      }),
      { numRuns: RUNS },
    );
    const r = sc.parallelize([1, 2, 3], 2);
    expect(r.coalesce(5).getNumPartitions()).toBe(2);
    expect(r.coalesce(5, false).getNumPartitions()).toBe(2);
    expect(sc.emptyRDD<number>().coalesce(3).getNumPartitions()).toBe(0);
    expect(() => r.coalesce(0)).toThrow(UserInputError);
  });

  it('coalesce with shuffle and repartition keep the elements and may grow', async () => {
    await fc.assert(
      fc.asyncProperty(ints, slices, fc.integer({ min: 1, max: 10 }), async (xs, k, n) => {
        const c = sc.parallelize(xs, k).coalesce(n, true);
        expect(c.getNumPartitions()).toBe(n);
        expectSameMultiset(await c.collect(), xs);
        const r = sc.parallelize(xs, k).repartition(n);
        expect(r.getNumPartitions()).toBe(n);
        expectSameMultiset(await r.collect(), xs);
      }),
      { numRuns: RUNS },
    );
    expect(await sc.emptyRDD<number>().repartition(3).collect()).toEqual([]);
  });

  it('repartition spreads elements evenly (round robin, as Spark)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 2, max: 8 }), async (k, n) => {
        const m = 40 * n;
        const sizes = (await sc.range(0, m, 1, k).repartition(n).glom().collect()).map((p) => p.length);
        // Each input partition deals its elements round robin, so outputs differ by at most k.
        expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(k);
      }),
      { numRuns: 10 },
    );
  });

  it('sortBy sorts ascending and descending, with any numPartitions', async () => {
    await fc.assert(
      fc.asyncProperty(words, slices, fc.boolean(), fc.option(parts, { nil: undefined }), async (xs, k, ascending, n) => {
        const sorted = sc.parallelize(xs, k).sortBy((s) => s.length, ascending, n);
        // Spark may use fewer range partitions than asked for when there are few distinct keys.
        if (n !== undefined) expect(sorted.getNumPartitions()).toBeLessThanOrEqual(n);
        const got = await sorted.collect();
        const keys = got.map((s) => s.length);
        const expectedKeys = xs.map((s) => s.length).sort((a, b) => (ascending ? a - b : b - a));
        expect(keys).toEqual(expectedKeys);
        expectSameMultiset(got, xs);
        // By the element itself: a total order, so the result is exact.
        const exact = await sc.parallelize(xs, k).sortBy((s) => s, ascending, n).collect();
        const ref = [...xs].sort();
        expect(exact).toEqual(ascending ? ref : ref.reverse());
      }),
      { numRuns: RUNS },
    );
    expect(await sc.emptyRDD<number>().sortBy((x) => x).collect()).toEqual([]);
  });
});
