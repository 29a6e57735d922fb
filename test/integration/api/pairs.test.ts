import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HashPartitioner, RDD, type Partitioner, type SparkContext } from '../../../src/index.js';
import {
  FEW_RUNS,
  RUNS,
  canon,
  expectNeedsPairs,
  expectSameMultiset,
  groupRef,
  key,
  newContext,
  normGroups,
  pairs,
  rejection,
  slices,
  smallInt,
  type Key,
} from './helpers.js';

/**
 * How the input is laid out and where the shuffle goes: slices, optionally pre-partitioned
 * (so aggregations and cogroups may skip the shuffle), and the target spec.
 */
interface Layout {
  readonly k: number;
  readonly pre: number | undefined;
  readonly spec: number | 'hash' | undefined;
  readonly n: number;
}
const layout: fc.Arbitrary<Layout> = fc.record({
  k: slices,
  pre: fc.option(fc.integer({ min: 1, max: 4 }), { nil: undefined }),
  spec: fc.constantFrom<number | 'hash' | undefined>(undefined, 1, 3, 'hash'),
  n: fc.integer({ min: 1, max: 4 }),
});
function specOf(l: Layout): number | Partitioner | undefined {
  return l.spec === 'hash' ? new HashPartitioner(l.n) : l.spec;
}

/** A reference order for the key domain: numbers < strings < arrays < objects (compareKeys' order). */
function refCompareKeys(a: Key, b: Key): number {
  const rank = (x: Key): number => (typeof x === 'number' ? 0 : typeof x === 'string' ? 1 : Array.isArray(x) ? 2 : 3);
  if (rank(a) !== rank(b)) return rank(a) - rank(b);
  if (typeof a === 'number') return a - (b as number);
  if (typeof a === 'string') return a < (b as string) ? -1 : a > (b as string) ? 1 : 0;
  if (Array.isArray(a)) return a[0] - (b as [number, string])[0];
  return 0;
}

function joinRef<V, W>(a: readonly [Key, V][], b: readonly [Key, W][], kind: 'inner' | 'left' | 'right' | 'full'): [Key, [V | null, W | null]][] {
  const ga = new Map(groupRef(a).map(([k, vs]) => [canon(k), [k, vs] as const]));
  const gb = new Map(groupRef(b).map(([k, ws]) => [canon(k), [k, ws] as const]));
  const out: [Key, [V | null, W | null]][] = [];
  for (const id of new Set([...ga.keys(), ...gb.keys()])) {
    const k = (ga.get(id) ?? gb.get(id))![0];
    const vs = ga.get(id)?.[1] ?? [];
    const ws = gb.get(id)?.[1] ?? [];
    if (vs.length > 0 && ws.length > 0) for (const v of vs) for (const w of ws) out.push([k, [v, w]]);
    else if (vs.length > 0 && (kind === 'left' || kind === 'full')) for (const v of vs) out.push([k, [v, null]]);
    else if (ws.length > 0 && (kind === 'right' || kind === 'full')) for (const w of ws) out.push([k, [null, w]]);
  }
  return out;
}

function cogroupRef(inputs: readonly (readonly [Key, unknown][])[]): [Key, unknown[][]][] {
  const byKey = new Map<string, [Key, unknown[][]]>();
  inputs.forEach((kvs, i) => {
    for (const [k, v] of kvs) {
      let e = byKey.get(canon(k));
      if (e === undefined) byKey.set(canon(k), (e = [k, inputs.map(() => [])]));
      e[1][i]!.push(v);
    }
  });
  return [...byKey.values()];
}

function normCogroup(groups: readonly [Key, unknown[][]][]): [Key, unknown[][]][] {
  return groups.map(([k, lists]) => [k, lists.map((l) => [...l].sort((a, b) => canon(a).localeCompare(canon(b))))]);
}

describe('pair functions', () => {
  let sc: SparkContext;
  beforeAll(() => {
    sc = newContext('api-pairs');
  });
  afterAll(async () => {
    await sc.stop();
  });

  function make<V>(kvs: readonly [Key, V][], l: Layout): RDD<[Key, V]> {
    const rdd = sc.parallelize<Key, V>([...kvs], l.k);
    return l.pre === undefined ? rdd : rdd.partitionBy(l.pre);
  }

  it('reduceByKey sums per key (structural keys, any layout)', async () => {
    await fc.assert(
      fc.asyncProperty(pairs, layout, async (kvs, l) => {
        const got = await make(kvs, l).reduceByKey((a, b) => a + b, specOf(l)).collect();
        const expected = groupRef(kvs).map(([k, vs]) => [k, vs.reduce((a, b) => a + b)] as const);
        expectSameMultiset(got, expected);
      }),
      { numRuns: RUNS },
    );
  });

  it('foldByKey and aggregateByKey (with mutable zeros) match the reference', async () => {
    await fc.assert(
      fc.asyncProperty(pairs, layout, async (kvs, l) => {
        const rdd = make(kvs, l);
        const spec = specOf(l);
        expectSameMultiset(
          await rdd.foldByKey(0, (a, b) => a + b, spec).collect(),
          groupRef(kvs).map(([k, vs]) => [k, vs.reduce((a, b) => a + b, 0)]),
        );
        const folded = await rdd
          .mapValues((v) => [v])
          .foldByKey([] as number[], (a, b) => {
            a.push(...b);
            return a;
          }, spec)
          .collect();
        expectSameMultiset(normGroups(folded), normGroups(groupRef(kvs)));
        const agg = await rdd
          .aggregateByKey(
            [0, 0] as [number, number],
            (acc, v) => [acc[0] + v, acc[1] + 1] as [number, number],
            (a, b) => [a[0] + b[0], a[1] + b[1]] as [number, number],
            spec,
          )
          .collect();
        expectSameMultiset(agg, groupRef(kvs).map(([k, vs]) => [k, [vs.reduce((a, b) => a + b, 0), vs.length]]));
        const lists = await rdd
          .aggregateByKey(
            [] as number[],
            (acc, v) => {
              acc.push(v);
              return acc;
            },
            (a, b) => a.concat(b),
            spec,
          )
          .collect();
        expectSameMultiset(normGroups(lists), normGroups(groupRef(kvs)));
      }),
      { numRuns: RUNS },
    );
  });

  it('combineByKey and groupByKey collect every value per key', async () => {
    await fc.assert(
      fc.asyncProperty(pairs, layout, fc.boolean(), async (kvs, l, mapSideCombine) => {
        const rdd = make(kvs, l);
        const expected = normGroups(groupRef(kvs));
        const combined = await rdd
          .combineByKey(
            (v) => [v],
            (c: number[], v) => {
              c.push(v);
              return c;
            },
            (a, b) => a.concat(b),
            specOf(l),
            { mapSideCombine },
          )
          .collect();
        expectSameMultiset(normGroups(combined), expected);
        const grouped = rdd.groupByKey(specOf(l));
        if (typeof l.spec === 'number') expect(grouped.getNumPartitions()).toBe(l.spec);
        expectSameMultiset(normGroups(await grouped.collect()), expected);
      }),
      { numRuns: RUNS },
    );
  });

  it('countByKey and collectAsMap', async () => {
    await fc.assert(
      fc.asyncProperty(pairs, layout, async (kvs, l) => {
        const rdd = make(kvs, l);
        const counts = await rdd.countByKey();
        const groups = groupRef(kvs);
        expect(counts.size).toBe(groups.length);
        for (const [k, vs] of groups) expect(counts.get(structuredClone(k))).toBe(vs.length);
        // collectAsMap: one entry per key, whose value is the key's last value in collect order.
        const collected = await rdd.collect();
        const map = await rdd.collectAsMap();
        expect(map.size).toBe(groups.length);
        const last = new Map(collected.map(([k, v]) => [canon(k), v]));
        for (const [k, v] of map) expect(v).toBe(last.get(canon(k)));
      }),
      { numRuns: RUNS },
    );
  });

  it('mapValues, flatMapValues, keys and values keep the order; mapValues and filter keep the partitioner', async () => {
    await fc.assert(
      fc.asyncProperty(pairs, layout, async (kvs, l) => {
        const rdd = make(kvs, l);
        const before = await rdd.collect();
        expect(await rdd.mapValues((v) => v * 2 + 1).collect()).toEqual(before.map(([k, v]) => [k, v * 2 + 1]));
        expect(await rdd.flatMapValues((v) => (v > 0 ? [v, -v] : [])).collect()).toEqual(
          before.flatMap(([k, v]) => (v > 0 ? [[k, v], [k, -v]] : [])),
        );
        expect(await rdd.keys().collect()).toEqual(before.map((kv) => kv[0]));
        expect(await rdd.values().collect()).toEqual(before.map((kv) => kv[1]));
        expectSameMultiset(before, kvs);
        if (l.pre !== undefined) {
          const p = new HashPartitioner(l.pre);
          expect(rdd.partitioner?.equals(p)).toBe(true);
          expect(rdd.mapValues((v) => v + 1).partitioner?.equals(p)).toBe(true);
          expect(rdd.flatMapValues((v) => [v]).partitioner?.equals(p)).toBe(true);
          expect(rdd.filter((kv) => kv[1] > 0).partitioner?.equals(p)).toBe(true);
          expect(rdd.map((kv) => kv).partitioner).toBeUndefined();
          expect(rdd.keys().partitioner).toBeUndefined();
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('join, leftOuterJoin, rightOuterJoin and fullOuterJoin match the reference', async () => {
    await fc.assert(
      fc.asyncProperty(pairs, layout, pairs, layout, async (a, la, b, lb) => {
        const ra = make(a, la);
        const rb = make(b.map(([k, v]) => [k, `w${v}`] as [Key, string]), lb);
        const bw = b.map(([k, v]) => [k, `w${v}`] as [Key, string]);
        const spec = specOf(la);
        expectSameMultiset(await ra.join(rb, spec).collect(), joinRef(a, bw, 'inner'));
        expectSameMultiset(await ra.leftOuterJoin(rb, spec).collect(), joinRef(a, bw, 'left'));
        expectSameMultiset(await ra.rightOuterJoin(rb, spec).collect(), joinRef(a, bw, 'right'));
        expectSameMultiset(await ra.fullOuterJoin(rb, spec).collect(), joinRef(a, bw, 'full'));
      }),
      { numRuns: RUNS },
    );
  });

  it('cogroup with 1, 2 and 3 others', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(pairs, layout), { minLength: 2, maxLength: 4 }), fc.constantFrom(undefined, 2), async (inputs, spec) => {
        const rdds = inputs.map(([kvs, l]) => make(kvs, l));
        const [first, ...others] = rdds as [RDD<[Key, number]>, ...RDD<[Key, number]>[]];
        let cg: RDD<[Key, unknown[][]]>;
        if (others.length === 1) cg = first.cogroup(others[0]!, spec);
        else if (others.length === 2) cg = first.cogroup(others[0]!, others[1]!, spec);
        else cg = first.cogroup(others[0]!, others[1]!, others[2]!, spec);
        if (spec !== undefined) expect(cg.getNumPartitions()).toBe(spec);
        const got = await cg.collect();
        for (const [, lists] of got) expect(lists.length).toBe(inputs.length);
        expectSameMultiset(normCogroup(got), normCogroup(cogroupRef(inputs.map((i) => i[0]))));
      }),
      { numRuns: RUNS },
    );
    const r = sc.parallelize([[1, 1]] as [number, number][], 1);
    expect(() => (r.cogroup as (...a: unknown[]) => unknown)()).toThrow(/1 to 3/);
  });

  it('subtractByKey keeps pairs whose key is absent from the other RDD', async () => {
    await fc.assert(
      fc.asyncProperty(pairs, layout, pairs, layout, async (a, la, b, lb) => {
        const inB = new Set(b.map((kv) => canon(kv[0])));
        const got = await make(a, la).subtractByKey(make(b, lb), specOf(la)).collect();
        expectSameMultiset(got, a.filter((kv) => !inB.has(canon(kv[0]))));
      }),
      { numRuns: RUNS },
    );
  });

  it('lookup finds every value of a key, with and without a partitioner', async () => {
    await fc.assert(
      fc.asyncProperty(pairs, layout, key, async (kvs, l, probe) => {
        const expected = kvs.filter((kv) => canon(kv[0]) === canon(probe)).map((kv) => kv[1]);
        const rdd = make(kvs, l);
        expectSameMultiset(await rdd.lookup(structuredClone(probe)), expected);
        const hashed = rdd.partitionBy(3);
        expectSameMultiset(await hashed.lookup(structuredClone(probe)), expected);
        const reduced = rdd.reduceByKey((x, y) => x + y, 2);
        expect(await reduced.lookup(probe)).toEqual(expected.length === 0 ? [] : [expected.reduce((x, y) => x + y)]);
      }),
      { numRuns: RUNS },
    );
  });

  it('lookup on a range-partitioned (sorted) RDD', async () => {
    await fc.assert(
      fc.asyncProperty(pairs, layout, key, fc.integer({ min: 1, max: 4 }), async (kvs, l, probe, n) => {
        const expected = kvs.filter((kv) => canon(kv[0]) === canon(probe)).map((kv) => kv[1]);
        const sorted = make(kvs, l).sortByKey(true, n);
        expectSameMultiset(await sorted.lookup(probe), expected);
      }),
      { numRuns: FEW_RUNS },
    );
  });

  it('a sorted RDD\'s range partitioner can be reused before the sort ran', async () => {
    await fc.assert(
      fc.asyncProperty(pairs, layout, pairs, fc.integer({ min: 1, max: 4 }), async (a, l, b, n) => {
        const sorted = make(a, l).sortByKey(true, n);
        const p = sorted.partitioner!;
        const moved = sc.parallelize<Key, number>(b, 2).partitionBy(p);
        expect(moved.partitioner).toBe(p);
        const placed = await moved.mapPartitionsWithIndex((i, it) => Array.from(it, (kv) => [i, kv] as [number, [Key, number]])).collect();
        for (const [i, kv] of placed) expect(i).toBe(p.getPartition(kv[0]));
        expectSameMultiset(placed.map((x) => x[1]), b);
        // Co-partitioned with the sorted RDD: the join reads both sides without a new partitioner.
        expectSameMultiset(await sorted.mapValues((v) => v).join(moved).collect(), joinRef(a, b, 'inner'));
      }),
      { numRuns: FEW_RUNS },
    );
  });

  it('partitionBy places each key by the partitioner; an equal partitioner returns the same RDD', async () => {
    await fc.assert(
      fc.asyncProperty(pairs, slices, fc.integer({ min: 1, max: 5 }), async (kvs, k, n) => {
        const p = new HashPartitioner(n);
        const rdd = sc.parallelize<Key, number>(kvs, k).partitionBy(p);
        expect(rdd.getNumPartitions()).toBe(n);
        expect(rdd.partitioner?.equals(p)).toBe(true);
        const placed = await rdd.mapPartitionsWithIndex((i, it) => Array.from(it, (kv) => [i, kv] as [number, [Key, number]])).collect();
        for (const [i, kv] of placed) expect(i).toBe(p.getPartition(kv[0]));
        expectSameMultiset(
          placed.map((x) => x[1]),
          kvs,
        );
        expect(rdd.partitionBy(new HashPartitioner(n))).toBe(rdd);
        expect(rdd.partitionBy(n)).toBe(rdd);
        expect(rdd.partitionBy(n + 1)).not.toBe(rdd);
      }),
      { numRuns: RUNS },
    );
  });

  it('sortByKey: ascending, descending, numPartitions, the default key order', async () => {
    await fc.assert(
      fc.asyncProperty(pairs, layout, fc.boolean(), fc.option(fc.integer({ min: 1, max: 6 }), { nil: undefined }), async (kvs, l, ascending, n) => {
        const sorted = make(kvs, l).sortByKey(ascending, n);
        const got = await sorted.collect();
        const refKeys = kvs.map((kv) => kv[0]).sort((a, b) => (ascending ? refCompareKeys(a, b) : refCompareKeys(b, a)));
        expect(got.map((kv) => canon(kv[0]))).toEqual(refKeys.map(canon));
        expectSameMultiset(got, kvs);
        // Partitions hold contiguous ranges: glom's concatenation is the sorted order.
        expect((await sorted.glom().collect()).flat().map((kv) => canon(kv[0]))).toEqual(refKeys.map(canon));
      }),
      { numRuns: RUNS },
    );
    expect(await sc.emptyRDD<[number, number]>().sortByKey().collect()).toEqual([]);
    expect(await sc.parallelize<number, number>([], 3).sortByKey(false, 2).collect()).toEqual([]);
  });

  it('sortByKey with a custom comparator', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(smallInt, smallInt), { maxLength: 30 }), slices, fc.boolean(), fc.integer({ min: 1, max: 5 }), async (kvs, k, ascending, n) => {
        // Order by absolute value, then by sign: a total order different from the default.
        const cmp = (a: number, b: number): number => Math.abs(a) - Math.abs(b) || a - b;
        const got = await sc.parallelize(kvs, k).sortByKey(ascending, n, (a, b) => Math.abs(a) - Math.abs(b) || a - b).collect();
        const refKeys = kvs.map((kv) => kv[0]).sort((a, b) => (ascending ? cmp(a, b) : cmp(b, a)));
        expect(got.map((kv) => kv[0])).toEqual(refKeys);
        expectSameMultiset(got, kvs);
      }),
      { numRuns: RUNS },
    );
  });

  it('repartitionAndSortWithinPartitions: placed by the partitioner, sorted inside each partition', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(smallInt, smallInt), { maxLength: 30 }), slices, fc.integer({ min: 1, max: 5 }), fc.boolean(), async (kvs, k, n, custom) => {
        const p = new HashPartitioner(n);
        const rdd = sc.parallelize(kvs, k);
        const out = custom ? rdd.repartitionAndSortWithinPartitions(p, (a, b) => b - a) : rdd.repartitionAndSortWithinPartitions(n);
        const parts = await out.glom().collect();
        expect(parts.length).toBe(n);
        parts.forEach((part, i) => {
          for (const kv of part) expect(p.getPartition(kv[0])).toBe(i);
          const ks = part.map((kv) => kv[0]);
          expect(ks).toEqual([...ks].sort((a, b) => (custom ? b - a : a - b)));
        });
        expectSameMultiset(parts.flat(), kvs);
      }),
      { numRuns: RUNS },
    );
  });

  it('pair functions on non-pairs fail clearly (pairs are needed)', async () => {
    const notPairs = sc.parallelize([1, 2, 3], 2) as unknown as RDD<[number, number]>;
    const triples = sc.parallelize([[1, 2, 3]], 1) as unknown as RDD<[number, number]>;
    const other = sc.parallelize([[1, 1]] as [number, number][], 2);
    const attempts: [string, () => Promise<unknown>][] = [
      ['reduceByKey', () => notPairs.reduceByKey((a, b) => a + b).collect()],
      ['groupByKey', () => notPairs.groupByKey().collect()],
      ['combineByKey', () => triples.combineByKey((v) => v, (a, b) => a + b, (a, b) => a + b).collect()],
      ['countByKey', () => notPairs.countByKey()],
      ['mapValues', () => notPairs.mapValues((v) => v).collect()],
      ['flatMapValues', () => notPairs.flatMapValues((v) => [v]).collect()],
      ['keys', () => notPairs.keys().collect()],
      ['values', () => triples.values().collect()],
      ['join', () => notPairs.join(other).collect()],
      ['cogroup', () => other.cogroup(notPairs).collect()],
      ['partitionBy', () => notPairs.partitionBy(2).collect()],
      ['sortByKey', () => notPairs.sortByKey().collect()],
      ['lookup', () => notPairs.lookup(1)],
      ['collectAsMap', () => notPairs.collectAsMap()],
      ['subtractByKey', () => notPairs.subtractByKey(other).collect()],
      ['reduceByKey on a partitioned RDD', () => other.partitionBy(2).mapPartitions((it) => Array.from(it, (kv) => kv[0]), undefined, true).reduceByKey((a: number, b: number) => a + b).collect()],
    ];
    const unclear: string[] = [];
    for (const [name, run] of attempts) {
      try {
        await run();
        unclear.push(`${name}: no error`);
      } catch (e) {
        try {
          expectNeedsPairs(e as Error);
        } catch {
          unclear.push(`${name}: ${(e as Error).name}: ${(e as Error).message}`);
        }
      }
    }
    expect(unclear).toEqual([]);
  });
});
