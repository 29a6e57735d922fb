import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserInputError, JobFailedError, type SparkContext } from '../../../src/index.js';
import { RUNS, expectSameMultiset, groupRef, ints, key, newContext, rejection, sliceRef, slices, words, type Key } from './helpers.js';

const manySlices = fc.integer({ min: 1, max: 24 });
const count = fc.integer({ min: 0, max: 40 });

async function expectEmptyError(p: Promise<unknown>, action?: string): Promise<void> {
  const e = await rejection(p);
  expect(e).toBeInstanceOf(UserInputError);
  expect((e as UserInputError).code).toBe('EMPTY_COLLECTION');
  if (action !== undefined) expect(e.message).toContain(`${action}()`);
}

describe('actions', () => {
  let sc: SparkContext;
  beforeAll(() => {
    sc = newContext('api-actions');
  });
  afterAll(async () => {
    await sc.stop();
  });

  it('collect, count and isEmpty', async () => {
    await fc.assert(
      fc.asyncProperty(ints, slices, async (xs, k) => {
        const rdd = sc.parallelize(xs, k);
        expect(await rdd.collect()).toEqual(xs);
        expect(await rdd.count()).toBe(xs.length);
        expect(await rdd.isEmpty()).toBe(xs.length === 0);
        const even = rdd.filter((x) => x % 2 === 0);
        expect(await even.count()).toBe(xs.filter((x) => x % 2 === 0).length);
        expect(await even.isEmpty()).toBe(!xs.some((x) => x % 2 === 0));
      }),
      { numRuns: RUNS },
    );
    expect(await sc.emptyRDD<number>().isEmpty()).toBe(true);
    expect(await sc.emptyRDD<number>().count()).toBe(0);
    expect(await sc.emptyRDD<number>().collect()).toEqual([]);
  });

  it('take returns the first n, also past the end and across many (empty) partitions', async () => {
    await fc.assert(
      fc.asyncProperty(ints, manySlices, count, fc.integer({ min: 1, max: 5 }), async (xs, k, n, m) => {
        expect(await sc.parallelize(xs, k).take(n)).toEqual(xs.slice(0, n));
        // Sparse partitions: take has to scan on past empty ones.
        expect(await sc.parallelize(xs, k).filter((x) => x % m === 0, { m }).take(n)).toEqual(xs.filter((x) => x % m === 0).slice(0, n));
      }),
      { numRuns: RUNS },
    );
    expect(await sc.emptyRDD<number>().take(3)).toEqual([]);
    await expect(sc.parallelize([1], 1).take(-1)).rejects.toThrow(UserInputError);
  });

  it('first returns the first element; an empty RDD is an error', async () => {
    await fc.assert(
      fc.asyncProperty(ints, manySlices, async (xs, k) => {
        const rdd = sc.parallelize(xs, k);
        if (xs.length === 0) await expectEmptyError(rdd.first(), 'first');
        else expect(await rdd.first()).toBe(xs[0]);
      }),
      { numRuns: RUNS },
    );
    await expectEmptyError(sc.emptyRDD<number>().first());
    await expectEmptyError(sc.parallelize([1, 2, 3], 4).filter((x) => x > 5).first());
  });

  it('top and takeOrdered, with and without a comparator', async () => {
    await fc.assert(
      fc.asyncProperty(ints, slices, count, async (xs, k, n) => {
        const rdd = sc.parallelize(xs, k);
        const asc = [...xs].sort((a, b) => a - b);
        expect(await rdd.takeOrdered(n)).toEqual(asc.slice(0, n));
        expect(await rdd.top(n)).toEqual([...asc].reverse().slice(0, n));
        expect(await rdd.takeOrdered(n, (a, b) => b - a)).toEqual([...asc].reverse().slice(0, n));
        expect(await rdd.top(n, (a, b) => b - a)).toEqual(asc.slice(0, n));
        // A comparator with ties (by absolute value): the projected order is exact.
        const byAbs = await rdd.takeOrdered(n, (a, b) => Math.abs(a) - Math.abs(b));
        expect(byAbs.map(Math.abs)).toEqual(xs.map(Math.abs).sort((a, b) => a - b).slice(0, n));
        for (const x of byAbs) expect(xs).toContain(x);
      }),
      { numRuns: RUNS },
    );
  });

  it('top and takeOrdered on strings use the key order', async () => {
    await fc.assert(
      fc.asyncProperty(words, slices, count, async (xs, k, n) => {
        const asc = [...xs].sort();
        expect(await sc.parallelize(xs, k).takeOrdered(n)).toEqual(asc.slice(0, n));
        expect(await sc.parallelize(xs, k).top(n)).toEqual([...asc].reverse().slice(0, n));
      }),
      { numRuns: RUNS },
    );
  });

  it('max and min, with and without a comparator; empty is an error', async () => {
    await fc.assert(
      fc.asyncProperty(ints, slices, async (xs, k) => {
        const rdd = sc.parallelize(xs, k);
        if (xs.length === 0) {
          await expectEmptyError(rdd.max(), 'max');
          await expectEmptyError(rdd.min(), 'min');
          return;
        }
        expect(await rdd.max()).toBe(Math.max(...xs));
        expect(await rdd.min()).toBe(Math.min(...xs));
        expect(await rdd.max((a, b) => b - a)).toBe(Math.min(...xs));
        expect(await rdd.min((a, b) => b - a)).toBe(Math.max(...xs));
        const words = rdd.map((x) => `w${x}`);
        const ws = xs.map((x) => `w${x}`).sort();
        expect(await words.max()).toBe(ws[ws.length - 1]);
        expect(await words.min()).toBe(ws[0]);
      }),
      { numRuns: RUNS },
    );
    await expectEmptyError(sc.emptyRDD<number>().max());
  });

  it('takeSample returns distinct input elements without replacement', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 30 }), slices, count, async (m, k, n) => {
        const xs = Array.from({ length: m }, (_, i) => i * 3);
        const got = await sc.parallelize(xs, k).takeSample(false, n, 11);
        expect(got.length).toBe(Math.min(n, m));
        expect(new Set(got).size).toBe(got.length);
        for (const x of got) expect(xs).toContain(x);
      }),
      { numRuns: 10 },
    );
  });

  it('toLocalIterator yields every element in order', async () => {
    await fc.assert(
      fc.asyncProperty(ints, slices, async (xs, k) => {
        const got: number[] = [];
        for await (const x of sc.parallelize(xs, k).toLocalIterator()) got.push(x);
        expect(got).toEqual(xs);
      }),
      { numRuns: RUNS },
    );
    const none: number[] = [];
    for await (const x of sc.emptyRDD<number>().toLocalIterator()) none.push(x);
    expect(none).toEqual([]);
  });

  it('reduce combines all elements; an empty RDD is an error', async () => {
    await fc.assert(
      fc.asyncProperty(ints, slices, async (xs, k) => {
        const rdd = sc.parallelize(xs, k);
        if (xs.length === 0) {
          await expectEmptyError(rdd.reduce((a, b) => a + b), 'reduce');
          return;
        }
        expect(await rdd.reduce((a, b) => a + b)).toBe(xs.reduce((a, b) => a + b));
        expect(await rdd.reduce((a, b) => Math.max(a, b))).toBe(Math.max(...xs));
      }),
      { numRuns: RUNS },
    );
    await expectEmptyError(sc.emptyRDD<number>().reduce((a, b) => a + b));
    await expectEmptyError(sc.parallelize([1, 2], 3).filter((x) => x > 2).reduce((a, b) => a + b));
  });

  it('fold applies zero once per partition and once on the driver (as Spark)', async () => {
    await fc.assert(
      fc.asyncProperty(ints, slices, fc.integer({ min: -3, max: 3 }), async (xs, k, z) => {
        const rdd = sc.parallelize(xs, k);
        const sum = xs.reduce((a, b) => a + b, 0);
        expect(await rdd.fold(0, (a, b) => a + b)).toBe(sum);
        expect(await rdd.fold(z, (a, b) => a + b)).toBe(sum + z * (k + 1));
        // A mutable zero is copied, never shared.
        const all = await rdd.map((x) => [x]).fold([], (a, b) => {
          a.push(...b);
          return a;
        });
        expectSameMultiset(all, xs);
      }),
      { numRuns: RUNS },
    );
    expect(await sc.emptyRDD<number>().fold(5, (a, b) => a + b)).toBe(5);
  });

  it('aggregate computes [sum, count] and copies a mutable zero', async () => {
    await fc.assert(
      fc.asyncProperty(ints, slices, async (xs, k) => {
        const rdd = sc.parallelize(xs, k);
        const got = await rdd.aggregate(
          [0, 0] as [number, number],
          (acc, x) => [acc[0] + x, acc[1] + 1] as [number, number],
          (a, b) => [a[0] + b[0], a[1] + b[1]] as [number, number],
        );
        expect(got).toEqual([xs.reduce((a, b) => a + b, 0), xs.length]);
        const collected = await rdd.aggregate(
          [] as number[],
          (acc, x) => {
            acc.push(x);
            return acc;
          },
          (a, b) => {
            a.push(...b);
            return a;
          },
        );
        expectSameMultiset(collected, xs);
      }),
      { numRuns: RUNS },
    );
  });

  it('treeReduce and treeAggregate match reduce/aggregate at various depths', async () => {
    await fc.assert(
      fc.asyncProperty(ints, manySlices, fc.integer({ min: 1, max: 5 }), async (xs, k, depth) => {
        const rdd = sc.parallelize(xs, k);
        const sum = xs.reduce((a, b) => a + b, 0);
        if (xs.length === 0) await expectEmptyError(rdd.treeReduce((a, b) => a + b, depth));
        else expect(await rdd.treeReduce((a, b) => a + b, depth)).toBe(sum);
        const agg = await rdd.treeAggregate(
          [0, 0] as [number, number],
          (acc, x) => [acc[0] + x, acc[1] + 1] as [number, number],
          (a, b) => [a[0] + b[0], a[1] + b[1]] as [number, number],
          depth,
        );
        expect(agg).toEqual([sum, xs.length]);
        const collected = await rdd.treeAggregate(
          [] as number[],
          (acc, x) => {
            acc.push(x);
            return acc;
          },
          (a, b) => {
            a.push(...b);
            return a;
          },
          depth,
        );
        expectSameMultiset(collected, xs);
      }),
      { numRuns: RUNS },
    );
    expect(await sc.emptyRDD<number>().treeAggregate(7, (a, b) => a + b, (a, b) => a + b, 2)).toBe(7);
    await expectEmptyError(sc.emptyRDD<number>().treeReduce((a, b) => a + b));
    await expect(sc.parallelize([1], 1).treeAggregate(0, (a, b) => a + b, (a, b) => a + b, 0)).rejects.toThrow(UserInputError);
  });

  it('countByValue counts each value (structural equality)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(key, { maxLength: 30 }), slices, async (xs, k) => {
        const got = await sc.parallelize<Key>(xs, k).countByValue();
        const expected = groupRef(xs.map((x) => [x, 1] as const)).map(([kk, ones]) => [kk, ones.length] as const);
        expect(got.size).toBe(expected.length);
        for (const [kk, n] of expected) expect(got.get(structuredClone(kk))).toBe(n);
        expectSameMultiset([...got.entries()], expected);
      }),
      { numRuns: RUNS },
    );
  });

  it('foreach and foreachPartition run once per element and partition (accumulators)', async () => {
    await fc.assert(
      fc.asyncProperty(ints, slices, async (xs, k) => {
        const sum = sc.longAccumulator('sum');
        const seen = sc.collectionAccumulator<number>('seen');
        const rdd = sc.parallelize(xs, k);
        await rdd.foreach(
          (x) => {
            sum.add(x);
            seen.add(x);
          },
          { sum, seen },
        );
        expect(sum.value).toBe(xs.reduce((a, b) => a + b, 0));
        expectSameMultiset(seen.value, xs);
        const sizes = sc.collectionAccumulator<number>('sizes');
        await rdd.foreachPartition(
          (it) => {
            let n = 0;
            for (const _ of it) n++;
            sizes.add(n);
          },
          { sizes },
        );
        expectSameMultiset(sizes.value, sliceRef(xs, k).map((s) => s.length));
      }),
      { numRuns: RUNS },
    );
  });

  it('an action that fails in a task rejects with JobFailedError', async () => {
    const e = await rejection(
      sc.parallelize([1, 2, 3], 2)
        .map((x) => {
          if (x === 2) throw new Error('boom on 2');
          return x;
        })
        .collect(),
    );
    expect(e).toBeInstanceOf(JobFailedError);
    expect(e.message).toMatch(/boom on 2/);
  });
});
