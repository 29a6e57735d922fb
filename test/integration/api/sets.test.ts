import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HashPartitioner, type SparkContext } from '../../../src/index.js';
import { RUNS, canon, distinctRef, expectSameMultiset, ints, key, newContext, pairs, slices, type Key } from './helpers.js';

const keys = fc.array(key, { maxLength: 25 });

describe('set operations', () => {
  let sc: SparkContext;
  beforeAll(() => {
    sc = newContext('api-sets');
  });
  afterAll(async () => {
    await sc.stop();
  });

  it('distinct keeps one of each (structural equality), with and without numPartitions', async () => {
    await fc.assert(
      fc.asyncProperty(keys, slices, fc.option(fc.integer({ min: 1, max: 5 }), { nil: undefined }), async (xs, k, n) => {
        const rdd = sc.parallelize<Key>(xs, k).distinct(n);
        if (n !== undefined) expect(rdd.getNumPartitions()).toBe(n);
        expectSameMultiset(await rdd.collect(), distinctRef(xs));
      }),
      { numRuns: RUNS },
    );
  });

  it('union concatenates in order; sc.union of several RDDs too', async () => {
    await fc.assert(
      fc.asyncProperty(ints, slices, ints, slices, ints, slices, async (a, ka, b, kb, c, kc) => {
        const ra = sc.parallelize(a, ka);
        const rb = sc.parallelize(b, kb);
        const rc = sc.parallelize(c, kc);
        const u = ra.union(rb);
        expect(u.getNumPartitions()).toBe(ka + kb);
        expect(await u.collect()).toEqual([...a, ...b]);
        const all = sc.union([ra, rb, rc]);
        expect(all.getNumPartitions()).toBe(ka + kb + kc);
        expect(await all.collect()).toEqual([...a, ...b, ...c]);
        expect(await sc.union([ra]).collect()).toEqual(a);
        expect(await ra.union(sc.emptyRDD<number>()).collect()).toEqual(a);
        expect(await sc.emptyRDD<number>().union(ra).collect()).toEqual(a);
      }),
      { numRuns: RUNS },
    );
  });

  it('union of RDDs with the same partitioner keeps it', async () => {
    await fc.assert(
      fc.asyncProperty(pairs, slices, pairs, slices, fc.integer({ min: 1, max: 4 }), async (a, ka, b, kb, n) => {
        const pa = sc.parallelize(a, ka).partitionBy(n);
        const pb = sc.parallelize(b, kb).partitionBy(n);
        const u = pa.union(pb);
        expect(u.getNumPartitions()).toBe(n);
        expect(u.partitioner?.equals(new HashPartitioner(n))).toBe(true);
        expectSameMultiset(await u.collect(), [...a, ...b]);
        // Each key still lives in the partition its partitioner names.
        const placed = await u.mapPartitionsWithIndex((i, it) => Array.from(it, (kv) => [i, kv[0]])).collect();
        const p = new HashPartitioner(n);
        for (const [i, kk] of placed) expect(i).toBe(p.getPartition(kk));
      }),
      { numRuns: RUNS },
    );
  });

  it('intersection is the distinct common elements', async () => {
    await fc.assert(
      fc.asyncProperty(keys, slices, keys, slices, async (a, ka, b, kb) => {
        const inB = new Set(b.map(canon));
        const expected = distinctRef(a.filter((x) => inB.has(canon(x))));
        expectSameMultiset(await sc.parallelize<Key>(a, ka).intersection(sc.parallelize<Key>(b, kb)).collect(), expected);
        expectSameMultiset(await sc.parallelize<Key>(a, ka).intersection(sc.parallelize<Key>(b, kb), 3).collect(), expected);
      }),
      { numRuns: RUNS },
    );
  });

  it('subtract keeps the elements (with duplicates) not in the other RDD', async () => {
    await fc.assert(
      fc.asyncProperty(keys, slices, keys, slices, async (a, ka, b, kb) => {
        const inB = new Set(b.map(canon));
        const got = await sc.parallelize<Key>(a, ka).subtract(sc.parallelize<Key>(b, kb)).collect();
        expectSameMultiset(got, a.filter((x) => !inB.has(canon(x))));
      }),
      { numRuns: RUNS },
    );
  });

  it('cartesian pairs every element with every element', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 0, max: 9 }), { maxLength: 10 }),
        slices,
        fc.array(fc.constantFrom('x', 'y', 'z'), { maxLength: 8 }),
        slices,
        async (a, ka, b, kb) => {
          const c = sc.parallelize(a, ka).cartesian(sc.parallelize(b, kb));
          expect(c.getNumPartitions()).toBe(ka * kb);
          expectSameMultiset(await c.collect(), a.flatMap((x) => b.map((y) => [x, y])));
          expect(await c.count()).toBe(a.length * b.length);
        },
      ),
      { numRuns: RUNS },
    );
    expect(await sc.emptyRDD<number>().cartesian(sc.parallelize([1, 2], 2)).collect()).toEqual([]);
  });

  it('set operations on empty RDDs', async () => {
    const e = sc.emptyRDD<number>();
    const xs = sc.parallelize([1, 2, 2, 3], 3);
    expect(await e.distinct().collect()).toEqual([]);
    expect(await e.intersection(xs).collect()).toEqual([]);
    expect(await xs.intersection(e).collect()).toEqual([]);
    expect(await e.subtract(xs).collect()).toEqual([]);
    expect((await xs.subtract(e).collect()).sort()).toEqual([1, 2, 2, 3]);
  });
});
