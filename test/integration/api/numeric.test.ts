import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UserInputError, type SparkContext } from '../../../src/index.js';
import { RUNS, expectClose, ints, newContext, slices } from './helpers.js';

const doubles = fc.array(fc.double({ min: -1e3, max: 1e3, noNaN: true, noDefaultInfinity: true }), { maxLength: 30 });

function refStats(xs: readonly number[]): { count: number; sum: number; mean: number; variance: number; sampleVariance: number; min: number; max: number } {
  const count = xs.length;
  const sum = xs.reduce((a, b) => a + b, 0);
  const mean = count === 0 ? NaN : sum / count;
  const m2 = xs.reduce((a, x) => a + (x - mean) ** 2, 0);
  return {
    count,
    sum,
    mean,
    variance: count === 0 ? NaN : m2 / count,
    sampleVariance: count <= 1 ? NaN : m2 / (count - 1),
    min: count === 0 ? Infinity : Math.min(...xs),
    max: count === 0 ? -Infinity : Math.max(...xs),
  };
}

/** Reference histogram over explicit boundaries: [b_i, b_i+1), the last bucket closed. */
function refHistogram(xs: readonly number[], bounds: readonly number[]): number[] {
  const counts = new Array<number>(bounds.length - 1).fill(0);
  for (const x of xs) {
    for (let i = 0; i < bounds.length - 1; i++) {
      const last = i === bounds.length - 2;
      if (x >= bounds[i]! && (x < bounds[i + 1]! || (last && x === bounds[i + 1]!))) {
        counts[i]!++;
        break;
      }
    }
  }
  return counts;
}

describe('numeric actions', () => {
  let sc: SparkContext;
  beforeAll(() => {
    sc = newContext('api-numeric');
  });
  afterAll(async () => {
    await sc.stop();
  });

  it('sum, mean, stats, variance, stdev, sampleVariance and sampleStdev', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(doubles, ints), slices, async (xs, k) => {
        const rdd = sc.parallelize(xs, k);
        const ref = refStats(xs);
        expectClose(await rdd.sum(), ref.sum, 1e-9);
        const s = await rdd.stats();
        expect(s.count).toBe(ref.count);
        expect(s.min).toBe(ref.min);
        expect(s.max).toBe(ref.max);
        expectClose(s.sum, ref.sum, 1e-9);
        if (xs.length > 0) {
          expectClose(s.mean, ref.mean, 1e-9);
          expectClose(await rdd.mean(), ref.mean, 1e-9);
        }
        expectClose(s.variance, ref.variance, 1e-7);
        expectClose(await rdd.variance(), ref.variance, 1e-7);
        expectClose(await rdd.stdev(), Math.sqrt(ref.variance), 1e-7);
        expectClose(await rdd.sampleVariance(), ref.sampleVariance, 1e-7);
        expectClose(await rdd.sampleStdev(), Math.sqrt(ref.sampleVariance), 1e-7);
      }),
      { numRuns: RUNS },
    );
    const empty = sc.emptyRDD<number>();
    expect(await empty.sum()).toBe(0);
    expect((await empty.stats()).count).toBe(0);
    expect(await empty.variance()).toBeNaN();
    expect(await sc.parallelize([5], 3).sampleVariance()).toBeNaN();
    expect(await sc.parallelize([5], 3).variance()).toBe(0);
  });

  it('sum and stats reject non-numbers', async () => {
    const strings = sc.parallelize(['a', 'b'], 2) as unknown as ReturnType<SparkContext['parallelize']> & { sum(): Promise<number> };
    await expect(strings.sum()).rejects.toThrow(/numbers/);
    await expect((sc.parallelize(['a'], 1) as never as { stats(): Promise<unknown> }).stats()).rejects.toThrow(/numbers/);
  });

  it('histogram with a bucket count: even buckets from min to max, every element counted once', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: -50, max: 50 }), { minLength: 1, maxLength: 30 }), slices, fc.integer({ min: 1, max: 7 }), async (xs, k, buckets) => {
        const [bounds, counts] = await sc.parallelize(xs, k).histogram(buckets);
        const min = Math.min(...xs);
        const max = Math.max(...xs);
        if (min === max) {
          expect(bounds).toEqual([min, max]);
          expect(counts).toEqual([xs.length]);
          return;
        }
        expect(bounds.length).toBe(buckets + 1);
        expect(bounds[0]).toBe(min);
        expect(bounds[buckets]).toBe(max);
        bounds.forEach((b, i) => expectClose(b, min + ((max - min) * i) / buckets, 1e-12));
        expect(counts).toEqual(refHistogram(xs, bounds));
        expect(counts.reduce((a, b) => a + b, 0)).toBe(xs.length);
      }),
      { numRuns: RUNS },
    );
    await expect(sc.emptyRDD<number>().histogram(3)).rejects.toThrow(UserInputError);
    await expect(sc.parallelize([1, Infinity], 2).histogram(3)).rejects.toThrow(UserInputError);
    await expect(sc.parallelize([1, 2], 2).histogram(0)).rejects.toThrow(UserInputError);
  });

  it('histogram with boundaries: [b_i, b_i+1), last bucket closed, outside values ignored', async () => {
    const boundaries = fc
      .uniqueArray(fc.integer({ min: -40, max: 40 }), { minLength: 2, maxLength: 6 })
      .map((bs) => bs.sort((a, b) => a - b));
    await fc.assert(
      fc.asyncProperty(fc.oneof(ints, fc.array(fc.double({ min: -50, max: 50, noNaN: true }), { maxLength: 20 })), slices, boundaries, async (xs, k, bounds) => {
        // Edge values: exactly on every boundary, just outside both ends.
        const data = [...xs, ...bounds, bounds[0]! - 1, bounds[bounds.length - 1]! + 1];
        const [b, counts] = await sc.parallelize(data, k).histogram(bounds);
        expect(b).toEqual(bounds);
        expect(counts).toEqual(refHistogram(data, bounds));
      }),
      { numRuns: RUNS },
    );
    expect((await sc.parallelize([1, 2, 3, NaN], 2).histogram([0, 2, 3]))[1]).toEqual([1, 2]);
    expect((await sc.emptyRDD<number>().histogram([0, 1]))[1]).toEqual([0]);
    await expect(sc.parallelize([1], 1).histogram([1])).rejects.toThrow(UserInputError);
    await expect(sc.parallelize([1], 1).histogram([2, 1])).rejects.toThrow(UserInputError);
    await expect(sc.parallelize([1], 1).histogram([1, 1, 2])).rejects.toThrow(UserInputError);
  });
});
