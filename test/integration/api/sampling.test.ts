import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeyMap, UserInputError, type SparkContext } from '../../../src/index.js';
import { RUNS, canon, expectSameMultiset, newContext, pairs, slices, type Key } from './helpers.js';

/** Distinct elements (their own indices), so membership and order are easy to check. */
const indices = fc.integer({ min: 0, max: 40 }).map((n) => Array.from({ length: n }, (_, i) => i));
const fraction = fc.double({ min: 0, max: 1, noNaN: true });
const seed = fc.integer({ min: 0, max: 2 ** 31 });

function isIncreasing(xs: readonly number[], strict: boolean): boolean {
  return xs.every((x, i) => i === 0 || (strict ? x > xs[i - 1]! : x >= xs[i - 1]!));
}

describe('sampling', () => {
  let sc: SparkContext;
  beforeAll(() => {
    sc = newContext('api-sampling');
  });
  afterAll(async () => {
    await sc.stop();
  });

  it('sample without replacement: deterministic for a seed, an ordered subset', async () => {
    await fc.assert(
      fc.asyncProperty(indices, slices, fraction, seed, async (xs, k, f, s) => {
        const rdd = sc.parallelize(xs, k);
        const a = await rdd.sample(false, f, s).collect();
        const b = await rdd.sample(false, f, s).collect();
        expect(b).toEqual(a);
        expect(isIncreasing(a, true)).toBe(true);
        for (const x of a) expect(x >= 0 && x < xs.length).toBe(true);
      }),
      { numRuns: RUNS },
    );
    const xs = [1, 2, 3, 4, 5];
    expect(await sc.parallelize(xs, 3).sample(false, 0, 1).collect()).toEqual([]);
    expect(await sc.parallelize(xs, 3).sample(false, 1, 1).collect()).toEqual(xs);
    expect(await sc.emptyRDD<number>().sample(false, 0.5, 1).collect()).toEqual([]);
  });

  it('sample with replacement: deterministic for a seed, elements from the input', async () => {
    await fc.assert(
      fc.asyncProperty(indices, slices, fc.double({ min: 0, max: 3, noNaN: true }), seed, async (xs, k, f, s) => {
        const rdd = sc.parallelize(xs, k);
        const a = await rdd.sample(true, f, s).collect();
        expect(await rdd.sample(true, f, s).collect()).toEqual(a);
        expect(isIncreasing(a, false)).toBe(true);
        for (const x of a) expect(x >= 0 && x < xs.length).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });

  it('sample sizes are roughly fraction * n', async () => {
    const n = 20000;
    const rdd = sc.range(0, n, 1, 4);
    for (const [withReplacement, f, s] of [
      [false, 0.1, 7],
      [false, 0.5, 8],
      [true, 0.3, 9],
      [true, 2, 10],
    ] as const) {
      const count = await rdd.sample(withReplacement, f, s).count();
      const sd = Math.sqrt(n * f * (withReplacement ? 1 : 1 - f));
      expect(Math.abs(count - n * f)).toBeLessThan(6 * sd);
    }
  });

  it('sample rejects bad fractions', () => {
    const rdd = sc.parallelize([1, 2, 3], 2);
    expect(() => rdd.sample(false, 1.5, 1)).toThrow(UserInputError);
    expect(() => rdd.sample(false, -0.1, 1)).toThrow(UserInputError);
    expect(() => rdd.sample(true, -1, 1)).toThrow(UserInputError);
    expect(() => rdd.sample(true, NaN, 1)).toThrow(UserInputError);
  });

  it('randomSplit: splits are disjoint and complete, deterministic for a seed', async () => {
    const weights = fc.array(fc.double({ min: 0, max: 5, noNaN: true }), { minLength: 1, maxLength: 4 }).filter((ws) => ws.some((w) => w > 0));
    await fc.assert(
      fc.asyncProperty(indices, slices, weights, seed, async (xs, k, ws, s) => {
        const rdd = sc.parallelize(xs, k);
        const splits = rdd.randomSplit(ws, s);
        expect(splits.length).toBe(ws.length);
        const parts: number[][] = [];
        for (const split of splits) parts.push(await split.collect());
        expect(parts.flat().sort((a, b) => a - b)).toEqual(xs);
        ws.forEach((w, i) => {
          if (w === 0) expect(parts[i]).toEqual([]);
          expect(isIncreasing(parts[i]!, true)).toBe(true);
        });
        const again = rdd.randomSplit(ws, s);
        expect(await again[0]!.collect()).toEqual(parts[0]);
      }),
      { numRuns: RUNS },
    );
    expect(() => sc.parallelize([1], 1).randomSplit([])).toThrow(UserInputError);
    expect(() => sc.parallelize([1], 1).randomSplit([0, 0])).toThrow(UserInputError);
    expect(() => sc.parallelize([1], 1).randomSplit([1, -1])).toThrow(UserInputError);
  });

  it('randomSplit sizes follow the weights roughly', async () => {
    const n = 20000;
    const [a, b] = sc.range(0, n, 1, 3).randomSplit([1, 3], 42);
    const ca = await a!.count();
    const cb = await b!.count();
    expect(ca + cb).toBe(n);
    expect(Math.abs(ca - n / 4)).toBeLessThan(6 * Math.sqrt(n * 0.25 * 0.75));
  });

  it('takeSample: size, membership, distinctness without replacement, deterministic for a seed', async () => {
    await fc.assert(
      fc.asyncProperty(indices, slices, fc.integer({ min: 0, max: 50 }), fc.boolean(), seed, async (xs, k, num, withReplacement, s) => {
        const rdd = sc.parallelize(xs, k);
        const got = await rdd.takeSample(withReplacement, num, s);
        const expectedSize = xs.length === 0 ? 0 : withReplacement ? num : Math.min(num, xs.length);
        expect(got.length).toBe(expectedSize);
        for (const x of got) expect(x >= 0 && x < xs.length).toBe(true);
        if (!withReplacement) expect(new Set(got).size).toBe(got.length);
        expect(await rdd.takeSample(withReplacement, num, s)).toEqual(got);
      }),
      { numRuns: RUNS },
    );
    expect(await sc.emptyRDD<number>().takeSample(false, 3, 1)).toEqual([]);
    await expect(sc.parallelize([1, 2], 2).takeSample(false, -1, 1)).rejects.toThrow(UserInputError);
  });

  it('sampleByKey: per-key fractions (Map with structural keys, KeyMap, record), ordered subset, deterministic', async () => {
    await fc.assert(
      fc.asyncProperty(pairs, slices, seed, fc.boolean(), async (kvs, k, s, withReplacement) => {
        const distinctKeys = new Map<string, Key>();
        for (const [kk] of kvs) distinctKeys.set(canon(kk), kk);
        // Every key gets a fraction: 0, 1 or 0.5 by position.
        const keyList = [...distinctKeys.values()];
        const fractionOf = (i: number): number => [0, 1, 0.5][i % 3]!;
        const fractions = new Map<Key, number>(keyList.map((kk, i) => [structuredClone(kk), fractionOf(i)]));
        const idx = new Map(keyList.map((kk, i) => [canon(kk), i]));
        const tagged = kvs.map((kv, i) => [kv[0], i] as [Key, number]);
        const rdd = sc.parallelize(tagged, k);
        const got = await rdd.sampleByKey(withReplacement, fractions, s).collect();
        expect(await rdd.sampleByKey(withReplacement, fractions, s).collect()).toEqual(got);
        const gotIdx = got.map((kv) => kv[1]);
        expect(isIncreasing(gotIdx, !withReplacement)).toBe(true);
        for (const [kk, i] of got) {
          expect(canon(tagged[i]![0])).toBe(canon(kk));
          expect(fractionOf(idx.get(canon(kk))!)).toBeGreaterThan(0);
        }
        if (!withReplacement) {
          // Fraction 1 keeps all of that key's pairs.
          const all = tagged.filter((kv) => fractionOf(idx.get(canon(kv[0]))!) === 1).map((kv) => kv[1]);
          for (const i of all) expect(gotIdx).toContain(i);
          // A KeyMap names the same fractions.
          const km = new KeyMap<Key, number>(fractions);
          expect(await rdd.sampleByKey(false, km, s).collect()).toEqual(got);
        }
      }),
      { numRuns: RUNS },
    );
    const strings = sc.parallelize([['a', 1], ['b', 2], ['a', 3]] as [string, number][], 2);
    expectSameMultiset(await strings.sampleByKey(false, { a: 1, b: 0 }, 3).collect(), [['a', 1], ['a', 3]]);
  });
});
