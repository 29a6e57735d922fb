import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HashPartitioner, type SparkContext } from '../../../src/index.js';
import { RUNS, ints, newContext, sliceRef, slices, smallInt, words } from './helpers.js';

describe('per-element and per-partition transformations', () => {
  let sc: SparkContext;
  beforeAll(() => {
    sc = newContext('api-elements');
  });
  afterAll(async () => {
    await sc.stop();
  });

  it('parallelize + collect keeps the order and the partition count', async () => {
    await fc.assert(
      fc.asyncProperty(ints, slices, async (xs, k) => {
        const rdd = sc.parallelize(xs, k);
        expect(rdd.getNumPartitions()).toBe(k);
        expect(await rdd.collect()).toEqual(xs);
      }),
      { numRuns: RUNS },
    );
  });

  it('map applies the function in order', async () => {
    await fc.assert(
      fc.asyncProperty(ints, slices, smallInt, async (xs, k, c) => {
        const rdd = sc.parallelize(xs, k).map((x) => x * 3 + c, { c });
        expect(rdd.getNumPartitions()).toBe(k);
        expect(await rdd.collect()).toEqual(xs.map((x) => x * 3 + c));
      }),
      { numRuns: RUNS },
    );
  });

  it('flatMap concatenates arrays, generators and empty results in order', async () => {
    await fc.assert(
      fc.asyncProperty(ints, slices, async (xs, k) => {
        const f = (x: number): number[] => (x % 3 === 0 ? [] : x % 3 === 1 ? [x] : [x, x + 100, x + 200]);
        const viaArray = sc.parallelize(xs, k).flatMap((x) => (x % 3 === 0 ? [] : x % 3 === 1 ? [x] : [x, x + 100, x + 200]));
        const viaGenerator = sc.parallelize(xs, k).flatMap(function* (x) {
          for (let i = 0; i < Math.abs(x) % 3; i++) yield `${x}:${i}`;
        });
        expect(await viaArray.collect()).toEqual(xs.flatMap(f));
        expect(await viaGenerator.collect()).toEqual(xs.flatMap((x) => Array.from({ length: Math.abs(x) % 3 }, (_, i) => `${x}:${i}`)));
      }),
      { numRuns: RUNS },
    );
  });

  it('filter keeps matching elements in order', async () => {
    await fc.assert(
      fc.asyncProperty(ints, slices, fc.integer({ min: 1, max: 4 }), async (xs, k, m) => {
        const got = await sc.parallelize(xs, k).filter((x) => x % m === 0, { m }).collect();
        expect(got).toEqual(xs.filter((x) => x % m === 0));
      }),
      { numRuns: RUNS },
    );
  });

  it('filter keeps the partitioner, map drops it', async () => {
    const byKey = sc.parallelize([[1, 1], [2, 2], [3, 3]] as [number, number][], 2).partitionBy(3);
    expect(byKey.partitioner?.equals(new HashPartitioner(3))).toBe(true);
    expect(byKey.filter((kv) => kv[1] > 1).partitioner?.equals(new HashPartitioner(3))).toBe(true);
    expect(byKey.map((kv) => kv).partitioner).toBeUndefined();
    expect(byKey.mapPartitions((it) => it).partitioner).toBeUndefined();
    expect(byKey.mapPartitions((it) => it, undefined, true).partitioner?.equals(new HashPartitioner(3))).toBe(true);
    expect(sortPairs(await byKey.filter((kv) => kv[1] > 1).collect())).toEqual([[2, 2], [3, 3]]);
  });

  it('mapPartitions sees each slice once (empty slices too)', async () => {
    await fc.assert(
      fc.asyncProperty(ints, slices, async (xs, k) => {
        const got = await sc
          .parallelize(xs, k)
          .mapPartitions((it) => {
            let sum = 0;
            let n = 0;
            for (const x of it) {
              sum += x;
              n++;
            }
            return [[n, sum]];
          })
          .collect();
        expect(got).toEqual(sliceRef(xs, k).map((s) => [s.length, s.reduce((a, b) => a + b, 0)]));
      }),
      { numRuns: RUNS },
    );
  });

  it('mapPartitionsWithIndex passes the partition index', async () => {
    await fc.assert(
      fc.asyncProperty(ints, slices, async (xs, k) => {
        const got = await sc
          .parallelize(xs, k)
          .mapPartitionsWithIndex(function* (i, it) {
            for (const x of it) yield [i, x];
          })
          .collect();
        expect(got).toEqual(sliceRef(xs, k).flatMap((s, i) => s.map((x) => [i, x])));
      }),
      { numRuns: RUNS },
    );
  });

  it('glom gives one array per partition', async () => {
    await fc.assert(
      fc.asyncProperty(words, slices, async (xs, k) => {
        expect(await sc.parallelize(xs, k).glom().collect()).toEqual(sliceRef(xs, k));
      }),
      { numRuns: RUNS },
    );
    expect(await sc.emptyRDD<number>().glom().collect()).toEqual([]);
  });

  it('keyBy pairs each element with its key', async () => {
    await fc.assert(
      fc.asyncProperty(words, slices, async (xs, k) => {
        expect(await sc.parallelize(xs, k).keyBy((s) => s.length).collect()).toEqual(xs.map((s) => [s.length, s]));
      }),
      { numRuns: RUNS },
    );
  });

  it('pipe through cat and tr', async () => {
    await fc.assert(
      fc.asyncProperty(words, slices, async (xs, k) => {
        const rdd = sc.parallelize(xs, k);
        expect(await rdd.pipe('cat').collect()).toEqual(xs);
        expect(await rdd.pipe(['tr', 'a-z', 'A-Z']).collect()).toEqual(xs.map((s) => s.toUpperCase()));
        // Numbers go through as their string form.
        expect(await sc.parallelize([1, 22, 333], k).pipe('cat').collect()).toEqual(['1', '22', '333']);
      }),
      { numRuns: 10 },
    );
  });

  it('range matches a plain loop', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: -20, max: 20 }), fc.integer({ min: -20, max: 20 }), fc.integer({ min: -4, max: 4 }).filter((s) => s !== 0), slices, async (start, end, step, k) => {
        const expected: number[] = [];
        for (let x = start; step > 0 ? x < end : x > end; x += step) expected.push(x);
        const r = sc.range(start, end, step, k);
        expect(r.getNumPartitions()).toBe(k);
        expect(await r.collect()).toEqual(expected);
      }),
      { numRuns: RUNS },
    );
    expect(await sc.range(4).collect()).toEqual([0, 1, 2, 3]);
  });

  it('cache, broadcast values and accumulators give the same results as without', async () => {
    await fc.assert(
      fc.asyncProperty(ints, slices, async (xs, k) => {
        const table = sc.broadcast(new Map(xs.map((x) => [x, x * x])));
        const rdd = sc.parallelize(xs, k).map((x) => table.value.get(x), { table }).cache();
        const expected = xs.map((x) => x * x);
        expect(await rdd.collect()).toEqual(expected);
        expect(await rdd.collect()).toEqual(expected);
        expect(await rdd.count()).toBe(xs.length);
        rdd.unpersist();
        expect(await rdd.collect()).toEqual(expected);
      }),
      { numRuns: 10 },
    );
  });

  it('transformations of an empty RDD are empty', async () => {
    const e = sc.emptyRDD<number>();
    expect(e.getNumPartitions()).toBe(0);
    expect(await e.map((x) => x + 1).collect()).toEqual([]);
    expect(await e.flatMap((x) => [x, x]).collect()).toEqual([]);
    expect(await e.filter(() => true).collect()).toEqual([]);
    expect(await e.mapPartitions((it) => it).collect()).toEqual([]);
    expect(await e.keyBy((x) => x).collect()).toEqual([]);
    expect(await e.pipe('cat').collect()).toEqual([]);
  });
});

function sortPairs(xs: [number, number][]): [number, number][] {
  return [...xs].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
}
