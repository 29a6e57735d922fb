import { describe, expect, it } from 'vitest';
import { SparkContext, type SparkListenerEvent } from '../../../src/index.js';
import { capturingLogger, isAlive, waitFor, type CapturingLogger } from './clusterHelpers.js';

/*
 * An executor process killed with `kill -9` at the worst moments: the job still gives the
 * fault-free answer, and only what the dead executor held is computed again (per-partition
 * task counts from the listener events; an accumulator for cached partitions).
 */

const VICTIM = 'exec-1';
const N = 4_000;

/** Speculation off: a backup copy finishing alongside the original would count twice. */
const conf = { 'spark.speculation': 'false' };

type TaskEnd = Extract<SparkListenerEvent, { type: 'taskEnd' }>;

function expectedSums(): Map<number, number> {
  const sums = new Map<number, number>();
  for (let x = 0; x < N; x++) sums.set(x % 10, (sums.get(x % 10) ?? 0) + x);
  return sums;
}

function start(logger: CapturingLogger): { sc: SparkContext; events: SparkListenerEvent[] } {
  const sc = new SparkContext({ master: 'local-cluster[2]', conf, logger });
  const events: SparkListenerEvent[] = [];
  sc.addListener((e) => void events.push(e));
  return { sc, events };
}

function killVictim(logger: CapturingLogger): number {
  const pid = logger.executorPids().get(VICTIM);
  if (pid === undefined) throw new Error(`no pid known for ${VICTIM}`);
  process.kill(pid, 'SIGKILL');
  return pid;
}

/** Successful task ends of a stage, by partition. */
function successesByPartition(events: readonly SparkListenerEvent[], stageId: number): Map<number, TaskEnd[]> {
  const out = new Map<number, TaskEnd[]>();
  for (const e of events) {
    if (e.type !== 'taskEnd' || e.stageId !== stageId || !e.successful) continue;
    out.set(e.partition, [...(out.get(e.partition) ?? []), e]);
  }
  return out;
}

/** Map partitions whose output was on the victim when it died must run exactly twice; all others once. */
function expectOnlyLostMapOutputsRecomputed(events: readonly SparkListenerEvent[], mapStage: number, killedAt: number): void {
  const byPartition = successesByPartition(events, mapStage);
  expect([...byPartition.keys()].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  const lost = [...byPartition].filter(([, ends]) => events.indexOf(ends[0]!) < killedAt && ends[0]!.executorId === VICTIM).map(([p]) => p);
  expect(lost.length).toBeGreaterThan(0);
  for (const [p, ends] of byPartition) {
    expect({ partition: p, runs: ends.length }).toEqual({ partition: p, runs: lost.includes(p) ? 2 : 1 });
    if (lost.includes(p)) expect(ends[1]!.executorId).not.toBe(VICTIM);
  }
}

describe('an executor killed with kill -9', () => {
  it('during a shuffle map stage: the job completes and only its map outputs are recomputed', async () => {
    const logger = capturingLogger();
    const { sc, events } = start(logger);
    try {
      let killedAt = -1;
      let mapStage = -1;
      sc.addListener((e) => {
        if (e.type === 'stageSubmitted' && mapStage < 0) mapStage = e.stageId;
        // Its second map task: it already holds one finished map output.
        if (killedAt < 0 && e.type === 'taskStart' && e.stageId === mapStage && e.executorId === VICTIM) {
          const done = events.filter((x) => x.type === 'taskEnd' && x.stageId === mapStage && x.executorId === VICTIM && x.successful).length;
          if (done >= 1) {
            killVictim(logger);
            killedAt = events.length;
          }
        }
      });
      const sums = await sc
        .range(0, N, 1, 8)
        .mapPartitions((it) => {
          const until = Date.now() + 250;
          while (Date.now() < until);
          return it;
        })
        .map((x) => [x % 10, x] as [number, number])
        .reduceByKey((a, b) => a + b, 4)
        .collectAsMap();
      expect(killedAt).toBeGreaterThan(0);
      expect(new Map(sums)).toEqual(expectedSums());
      expectOnlyLostMapOutputsRecomputed(events, mapStage, killedAt);
      const resultStage = Math.max(...events.flatMap((e) => (e.type === 'stageSubmitted' ? [e.stageId] : [])));
      for (const [, ends] of successesByPartition(events, resultStage)) expect(ends).toHaveLength(1);
      expect(events.some((e) => e.type === 'executorRemoved' && e.executorId === VICTIM)).toBe(true);
    } finally {
      await sc.stop();
    }
  });

  it('during a reduce stage: fetches from it fail, and only its map outputs and the unfinished reduce partitions run again', async () => {
    const logger = capturingLogger();
    const { sc, events } = start(logger);
    try {
      let killedAt = -1;
      const stages: number[] = [];
      sc.addListener((e) => {
        if (e.type === 'stageSubmitted' && !stages.includes(e.stageId)) stages.push(e.stageId);
        const reduceStage = stages[1];
        if (killedAt < 0 && e.type === 'taskStart' && e.stageId === reduceStage && e.executorId === VICTIM) {
          const done = events.filter((x) => x.type === 'taskEnd' && x.stageId === reduceStage && x.executorId === VICTIM && x.successful).length;
          if (done >= 1) {
            killVictim(logger);
            killedAt = events.length;
          }
        }
      });
      const sums = await sc
        .range(0, N, 1, 8)
        .map((x) => [x % 10, x] as [number, number])
        .reduceByKey((a, b) => a + b, 4)
        .mapPartitions((it) => {
          const until = Date.now() + 400;
          while (Date.now() < until);
          return it;
        })
        .collectAsMap();
      expect(killedAt).toBeGreaterThan(0);
      expect(new Map(sums)).toEqual(expectedSums());
      const [mapStage, reduceStage] = stages as [number, number];
      expectOnlyLostMapOutputsRecomputed(events, mapStage, killedAt);
      const reduces = successesByPartition(events, reduceStage);
      expect([...reduces.keys()].sort()).toEqual([0, 1, 2, 3]);
      // Each reduce partition succeeded once: the one the victim finished before dying was not run again.
      for (const [, ends] of reduces) expect(ends).toHaveLength(1);
      expect(events.some((e) => e.type === 'taskEnd' && e.stageId === reduceStage && e.reason?.includes('FetchFailedError') === true)).toBe(true);
    } finally {
      await sc.stop();
    }
  });

  it('while it holds cached partitions: only those partitions are recomputed from lineage', async () => {
    const logger = capturingLogger();
    const { sc, events } = start(logger);
    try {
      const computed = sc.longAccumulator('computed');
      const cached = sc
        .range(0, 600, 1, 6)
        .map(
          (x) => {
            computed.add(1);
            return x * 2;
          },
          { computed },
        )
        .cache();
      expect(await cached.count()).toBe(600);
      expect(computed.value).toBe(600);
      const onVictim = events.filter((e): e is TaskEnd => e.type === 'taskEnd' && e.successful && e.executorId === VICTIM).map((e) => e.partition);
      expect(onVictim.length).toBeGreaterThan(0);
      expect(onVictim.length).toBeLessThan(6);

      const pid = killVictim(logger);
      await waitFor(() => events.some((e) => e.type === 'executorRemoved' && e.executorId === VICTIM), 'the driver to notice the lost executor');
      expect(isAlive(pid)).toBe(false);

      const doubled = await cached.map((x) => x + 1).collect();
      expect(doubled).toEqual(Array.from({ length: 600 }, (_, x) => x * 2 + 1));
      // 100 records per partition: exactly the victim's partitions were computed again.
      expect(computed.value - 600).toBe(100 * onVictim.length);
      // A replacement executor joins.
      await waitFor(() => events.some((e) => e.type === 'executorAdded' && e.executorId === 'exec-2'), 'a replacement executor', 30_000);
    } finally {
      await sc.stop();
    }
  });
});
