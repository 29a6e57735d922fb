// Shuffles end to end under a 4 KiB shuffle buffer budget (`kuberdd.shuffle.spillBytes`): every
// shuffle operation gives the same result as without a budget, tasks report spillBytes, and no
// spill file outlives its task, whether the job succeeds or fails.
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compareKeys } from '../../../src/common/keys/compareKeys.js';
import { type RDD, SparkContext, UserInputError } from '../../../src/index.js';

/** Every file or directory under a `spill` directory of `root`. */
function spillLeftovers(root: string): string[] {
  const out: string[] = [];
  const walk = (d: string, inSpill: boolean): void => {
    if (!existsSync(d)) return;
    for (const name of readdirSync(d)) {
      const p = path.join(d, name);
      if (inSpill) out.push(p);
      if (statSync(p).isDirectory()) walk(p, inSpill || name === 'spill');
    }
  };
  walk(root, false);
  return out;
}

const canon = (x: unknown): string => JSON.stringify(x);
const sorted = (xs: unknown[]): string[] => xs.map(canon).sort();

describe('shuffle spilling end to end (kuberdd.shuffle.spillBytes=4096)', () => {
  let tight: SparkContext;
  let plain: SparkContext;
  let root: string;
  let spillBytes = 0;
  beforeAll(() => {
    root = mkdtempSync(path.join(tmpdir(), 'kuberdd-spill-it-'));
    tight = new SparkContext({
      master: 'local[2]',
      appName: 'spill',
      conf: { 'kuberdd.local.dir': root, 'kuberdd.shuffle.spillBytes': '4096' },
    });
    tight.addListener((e) => {
      if (e.type === 'taskEnd') spillBytes += e.metrics.spillBytes;
    });
    plain = new SparkContext({ master: 'local[2]', appName: 'no-spill' });
  });
  afterAll(async () => {
    await Promise.all([tight.stop(), plain.stop()]);
    rmSync(root, { recursive: true, force: true });
  });

  const N = 6000;
  function pairs(sc: SparkContext): RDD<[string | number, number]> {
    return sc.parallelize(Array.from({ length: N }, (_, i) => i), 3).map((i): [string | number, number] => [i % 3 === 0 ? i % 500 : `k${(i * 7) % 1500}`, i]);
  }
  function others(sc: SparkContext): RDD<[string | number, string]> {
    return sc.parallelize(Array.from({ length: 2000 }, (_, i) => i), 2).map((i): [string | number, string] => [i % 2 === 0 ? i % 500 : `k${i % 1500}`, `v${i}`]);
  }

  const cases: [string, (sc: SparkContext) => Promise<unknown[]>, 'exact' | 'multiset'][] = [
    ['reduceByKey', (sc) => pairs(sc).reduceByKey((a, b) => a + b, 4).collect(), 'multiset'],
    ['groupByKey', (sc) => pairs(sc).groupByKey(4).mapValues((vs) => [...vs].sort((a, b) => a - b)).collect(), 'multiset'],
    ['aggregateByKey', (sc) => pairs(sc).aggregateByKey([0, 0] as [number, number], (a, v) => [a[0] + v, a[1] + 1], (a, b) => [a[0] + b[0], a[1] + b[1]], 3).collect(), 'multiset'],
    ['distinct', (sc) => pairs(sc).map(([k]) => k).distinct(3).collect(), 'multiset'],
    ['sortByKey', (sc) => pairs(sc).sortByKey(true, 3).collect(), 'exact'],
    ['sortByKey descending', (sc) => pairs(sc).sortByKey(false, 2).collect(), 'exact'],
    ['repartitionAndSortWithinPartitions', (sc) => pairs(sc).repartitionAndSortWithinPartitions(3).glom().collect(), 'exact'],
    ['join', (sc) => pairs(sc).join(others(sc), 3).collect(), 'multiset'],
    ['cogroup', (sc) => pairs(sc).cogroup(others(sc), 3).mapValues(([a, b]) => [[...a].sort((x, y) => x - y), [...b].sort()]).collect(), 'multiset'],
    ['leftOuterJoin', (sc) => pairs(sc).leftOuterJoin(others(sc), 2).collect(), 'multiset'],
    ['fullOuterJoin', (sc) => pairs(sc).fullOuterJoin(others(sc), 4).collect(), 'multiset'],
    ['three-way cogroup', (sc) => pairs(sc).cogroup(others(sc), pairs(sc).mapValues((v) => -v), 2).mapValues((ls) => ls.map((l) => [...l].map(String).sort())).collect(), 'multiset'],
  ];

  it.each(cases)('%s gives the same result as without a budget', async (_name, job, mode) => {
    const before = spillBytes;
    const [a, b] = await Promise.all([job(plain), job(tight)]);
    if (mode === 'exact') expect(canon(b)).toBe(canon(a));
    else expect(sorted(b)).toEqual(sorted(a));
    expect(spillBytes).toBeGreaterThan(before);
    // Polled: a speculative copy that lost is killed just after the job returns, and cleans up then.
    await expect.poll(() => spillLeftovers(root)).toEqual([]);
  });

  it('cogroup and join spill on the reduce side too: co-partitioned parents, no shuffle in their stage', async () => {
    const stageSpills = new Map<number, number>();
    tight.addListener((e) => {
      if (e.type === 'taskEnd') stageSpills.set(e.stageId, (stageSpills.get(e.stageId) ?? 0) + e.metrics.spillBytes);
    });
    const job = async (sc: SparkContext): Promise<unknown[]> => {
      const left = pairs(sc).partitionBy(3).cache();
      const right = others(sc).partitionBy(3).cache();
      await Promise.all([left.count(), right.count()]);
      return left.join(right).collect();
    };
    const a = await job(plain);
    stageSpills.clear();
    const b = await job(tight);
    expect(sorted(b)).toEqual(sorted(a));
    // The join's stage reads its cached, co-partitioned parents: anything it spilled, its
    // reduce-side grouping spilled.
    const joinStage = Math.max(...stageSpills.keys());
    expect(stageSpills.get(joinStage)).toBeGreaterThan(4096);
    // Polled: a speculative copy that lost is killed just after the job returns, and cleans up then.
    await expect.poll(() => spillLeftovers(root)).toEqual([]);
  });

  it('sortByKey output is really sorted', async () => {
    const out = await pairs(tight).sortByKey(true, 3).collect();
    for (let i = 1; i < out.length; i++) expect(compareKeys(out[i - 1]![0], out[i]![0])).toBeLessThanOrEqual(0);
  });

  it('a failing job leaves no spill files behind', async () => {
    const before = spillBytes;
    const job = pairs(tight)
      .groupByKey(2)
      .map(([k, vs]) => {
        if (vs.length > 0 && k === 'k7') throw new Error('boom after the shuffle');
        return k;
      })
      .count();
    await expect(job).rejects.toThrow('boom after the shuffle');
    expect(spillBytes).toBeGreaterThan(before);
    // Polled: a speculative copy that lost is killed just after the job returns, and cleans up then.
    await expect.poll(() => spillLeftovers(root)).toEqual([]);
  });

  it('rejects a zero budget', () => {
    expect(() => new SparkContext({ master: 'local[1]', conf: { 'kuberdd.shuffle.spillBytes': '0' } })).toThrow(UserInputError);
  });
});
