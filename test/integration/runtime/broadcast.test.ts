// Broadcasts reach each executor once, lazily; environment values over 1 MiB travel as
// broadcasts. Observed through sc.statusTracker() (driver-side fetch counters).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobFailedError, SparkContext, UserInputError } from '../../../src/index.js';
import { recorded } from './events.js';

const WORKERS = 2;

describe('runtime: broadcast variables', () => {
  let sc: SparkContext;
  beforeAll(() => {
    sc = new SparkContext({ master: `local[${WORKERS}]`, appName: 'runtime-broadcast' });
  });
  afterAll(async () => {
    await sc.stop();
  });

  const fetchesOf = (id: number): Map<string, number> => new Map(sc.statusTracker().broadcastFetches().get(id) ?? []);
  const total = (m: ReadonlyMap<string, number>): number => [...m.values()].reduce((a, b) => a + b, 0);

  it('fetches a broadcast once per executor, lazily, and never one no task uses', async () => {
    const table = sc.broadcast(Object.fromEntries(Array.from({ length: 20_000 }, (_, i) => [`k${i}`, i])));
    const unused = sc.broadcast(Array.from({ length: 10_000 }, (_, i) => i));
    expect(fetchesOf(table.id).size).toBe(0); // creating it ships nothing

    // A job that does not use the broadcast does not fetch it.
    await sc.parallelize([1, 2, 3], 3).map((x) => x + 1).collect();
    expect(fetchesOf(table.id).size).toBe(0);

    const { result, rec } = await recorded(sc, () =>
      sc.parallelize(Array.from({ length: 400 }, (_, i) => i), 16).map((i) => table.value[`k${i * 7}`] ?? -1, { table }).sum(),
    );
    expect(result).toBe(Array.from({ length: 400 }, (_, i) => i * 7).reduce((a, b) => a + b, 0));
    const executors = new Set(rec.of('taskStart').map((t) => t.executorId));
    expect(executors.size).toBe(WORKERS);
    const fetches = fetchesOf(table.id);
    expect(new Set(fetches.keys())).toEqual(executors); // each executor that ran a task…
    expect([...fetches.values()].every((n) => n === 1)).toBe(true); // …fetched it exactly once for 16 tasks

    // Later jobs (and other stages) reuse the executors' copies.
    await sc.parallelize([1, 2, 3, 4], 4).map((i) => [i % 2, table.value[`k${i}`]] as [number, number], { table }).reduceByKey((a, b) => a + b).collect();
    expect(fetchesOf(table.id)).toEqual(fetches);
    expect(fetchesOf(unused.id).size).toBe(0);
  });

  it('unpersist() drops executor copies (fetched again on use); destroy() makes use an error', async () => {
    const b = sc.broadcast({ factor: 3 });
    const times = (x: number): number => x * b.value.factor;
    expect(await sc.parallelize([1, 2], 2).map(times, { b }).collect()).toEqual([3, 6]);
    const first = total(fetchesOf(b.id));
    expect(first).toBeGreaterThanOrEqual(1);
    expect(first).toBeLessThanOrEqual(WORKERS);
    await b.unpersist();
    expect(await sc.parallelize([1, 2], 2).map(times, { b }).collect()).toEqual([3, 6]);
    expect(total(fetchesOf(b.id))).toBeGreaterThan(first);

    await b.destroy();
    expect(() => b.value).toThrow(UserInputError);
    const failed = sc.parallelize([1], 1).map(times, { b }).collect();
    await expect(failed).rejects.toBeInstanceOf(JobFailedError);
    await expect(failed).rejects.toThrow(/broadcast \d+ does not exist/);
  });

  it('ships environment values over 1 MiB once per executor as a broadcast, not in every task', async () => {
    // ~2 MiB encoded: 260k distinct doubles at 9 bytes each.
    const big = Array.from({ length: 260_000 }, (_, i) => i + 0.1);
    const small = [1, 2, 3];
    const before = new Set(sc.statusTracker().broadcastFetches().keys());

    const { result, rec } = await recorded(sc, () =>
      sc.parallelize(Array.from({ length: 40 }, (_, i) => i), 40).map((i) => big[i * 1000]! + small[i % 3]!, { big, small }).collect(),
    );
    expect(result).toEqual(Array.from({ length: 40 }, (_, i) => i * 1000 + 0.1 + [1, 2, 3][i % 3]!));
    expect(rec.of('taskStart')).toHaveLength(40);

    const added = [...sc.statusTracker().broadcastFetches()].filter(([id]) => !before.has(id));
    expect(added).toHaveLength(1); // only `big` became a broadcast
    const [, perExecutor] = added[0]!;
    expect(perExecutor.size).toBeLessThanOrEqual(WORKERS);
    expect([...perExecutor.values()].every((n) => n === 1)).toBe(true);
    // The stage binary carries a reference, not the 2 MiB.
    const stageId = rec.of('stageSubmitted')[0]!.stageId;
    expect(sc.statusTracker().stageBinaryBytes(stageId)).toBeLessThan(64 * 1024);

    // The same array in another job is the same broadcast: nothing is fetched again.
    const snapshot = new Map(perExecutor);
    expect(await sc.parallelize([0, 1], 2).map((i) => big[i]!, { big }).collect()).toEqual([0.1, 1.1]);
    expect(new Map(sc.statusTracker().broadcastFetches().get(added[0]![0]))).toEqual(snapshot);

    // Below the threshold, values travel inside the stage binary.
    const { rec: smallRec } = await recorded(sc, () => sc.parallelize([0, 1], 2).map((i) => small[i]!, { small }).collect());
    expect(sc.statusTracker().broadcastFetches().size).toBe(before.size + 1);
    expect(sc.statusTracker().stageBinaryBytes(smallRec.of('stageSubmitted')[0]!.stageId)).toBeLessThan(16 * 1024);
  });
});
