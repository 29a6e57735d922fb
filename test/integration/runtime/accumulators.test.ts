// Accumulators: every kind, and each output partition's updates merged exactly once, whatever
// fails or is recomputed.
import { readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SparkContext } from '../../../src/index.js';
import { recorded, tempDirsOf } from './events.js';

/** Every shuffle data file the context's executors wrote. */
function shuffleFiles(sc: SparkContext): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const p = path.join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (/^shuffle_\d+_\d+_\d+\.data$/.test(name)) out.push(p);
    }
  };
  for (const d of tempDirsOf(sc)) walk(path.join(tmpdir(), d));
  return out;
}

describe('runtime: accumulators', () => {
  let sc: SparkContext;
  beforeAll(() => {
    sc = new SparkContext({ master: 'local[2]', appName: 'runtime-accumulators' });
  });
  afterAll(async () => {
    await sc.stop();
  });

  const nums = Array.from({ length: 200 }, (_, i) => i + 1); // sum 20100

  it('long, double, collection and custom accumulators add up on the driver', async () => {
    const longs = sc.longAccumulator('longs');
    const doubles = sc.doubleAccumulator('doubles');
    const seen = sc.collectionAccumulator<number>('seen');
    const maxAcc = sc.accumulator<number, { max: number; n: number }>({
      zero: () => ({ max: -Infinity, n: 0 }),
      add: (acc, v) => ({ max: Math.max(acc.max, v), n: acc.n + 1 }),
      merge: (a, b) => ({ max: Math.max(a.max, b.max), n: a.n + b.n }),
    }, 'max');
    await sc.parallelize(nums, 4).foreach(
      (x) => {
        longs.add(x);
        doubles.add(x / 4);
        if (x % 50 === 0) seen.add(x);
        maxAcc.add(x);
      },
      { longs, doubles, seen, maxAcc },
    );
    expect(longs.value).toBe(20100);
    expect(longs.count).toBe(200);
    expect(longs.avg).toBe(100.5);
    expect(doubles.value).toBeCloseTo(5025, 10);
    expect([...seen.value].sort((a, b) => a - b)).toEqual([50, 100, 150, 200]);
    expect(maxAcc.value).toEqual({ max: 200, n: 200 });
  });

  it('a failed and retried task does not count twice; the job still succeeds', async () => {
    const acc = sc.longAccumulator();
    const { result, rec } = await recorded(sc, () =>
      sc
        .parallelize(nums, 4)
        .mapPartitionsWithIndex(
          (i, it, ctx) => {
            const out: number[] = [];
            for (const x of it) {
              acc.add(x);
              out.push(x);
            }
            // Fails after adding everything, on the first attempt of partition 2 only.
            if (i === 2 && ctx.attemptNumber === 0) throw new Error('injected failure');
            return out;
          },
          { acc },
        )
        .count(),
    );
    expect(result).toBe(200);
    expect(acc.value).toBe(20100);
    const ends = rec.of('taskEnd');
    // Killed attempts (a speculative copy that lost) are not failures.
    const failed = ends.filter((t) => !t.successful && t.killed !== true);
    expect(failed).toHaveLength(1);
    expect(failed[0]?.reason).toContain('injected failure');
    expect(ends.filter((t) => t.partition === 2 && t.successful)[0]?.attempt).toBe(1);
  });

  it('a failed shuffle map task does not count twice either', async () => {
    const acc = sc.longAccumulator();
    const sums = await sc
      .parallelize(nums, 4)
      .mapPartitionsWithIndex(
        (i, it, ctx) => {
          const out: [number, number][] = [];
          for (const x of it) {
            acc.add(1);
            out.push([x % 2, x]);
          }
          if (i === 1 && ctx.attemptNumber < 2) throw new Error('flaky map task');
          return out;
        },
        { acc },
      )
      .reduceByKey((a, b) => a + b, 2)
      .collectAsMap();
    expect(sums.get(0)).toBe(10100);
    expect(sums.get(1)).toBe(10000);
    expect(acc.value).toBe(200);
  });

  it('counts once per action: running the same RDD twice counts twice', async () => {
    const acc = sc.longAccumulator();
    const rdd = sc.parallelize(nums, 4).map(
      (x) => {
        acc.add(1);
        return x;
      },
      { acc },
    );
    expect(await rdd.count()).toBe(200);
    expect(acc.value).toBe(200);
    expect(await rdd.sum()).toBe(20100);
    expect(acc.value).toBe(400);
  });

  it('recomputing lost shuffle map outputs does not count them again', async () => {
    const acc = sc.longAccumulator();
    const sums = sc
      .parallelize(nums, 4)
      .map(
        (x) => {
          acc.add(1);
          return [x % 3, x] as [number, number];
        },
        { acc },
      )
      .reduceByKey((a, b) => a + b, 3);
    const first = await sums.collectAsMap();
    expect(acc.value).toBe(200);
    const before = new Set(shuffleFiles(sc));
    expect(before.size).toBeGreaterThanOrEqual(4);

    // Lose every map output of this shuffle: the next action hits fetch failures and the
    // scheduler recomputes the map tasks.
    const shuffleId = Math.max(...[...before].map((f) => Number(/shuffle_(\d+)_/.exec(path.basename(f))![1])));
    for (const f of before) if (path.basename(f).startsWith(`shuffle_${shuffleId}_`)) rmSync(f);
    const { result: again, rec } = await recorded(sc, () => sums.collectAsMap());
    expect([...again.entries()].sort()).toEqual([...first.entries()].sort());
    expect(rec.of('taskEnd').some((t) => !t.successful && (t.reason ?? '').includes('FetchFailed'))).toBe(true);
    const mapTasks = rec.of('taskEnd').filter((t) => t.successful && rec.of('stageSubmitted').some((s) => s.stageId === t.stageId && s.name.startsWith('map at')));
    expect(mapTasks.length).toBeGreaterThanOrEqual(1); // map outputs really were recomputed
    expect(acc.value).toBe(200);
  });
});
