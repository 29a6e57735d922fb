// Retries with Spark's defaults: 4 attempts per task (spark.task.maxFailures), 4 consecutive
// fetch-failed attempts per stage (spark.stage.maxConsecutiveAttempts); killed attempts and
// denied commits are not failures.
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobFailedError, SparkContext, type RDD, type TaskContext } from '../../../src/index.js';
import { recorded } from '../runtime/events.js';

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

/** Partition 1 fails on its first `failures` attempts. */
function flaky(rdd: RDD<number>, failures: number): RDD<number> {
  return rdd.mapPartitions(
    (records: Iterable<number>, ctx: TaskContext) => {
      if (ctx.partitionId === 1 && ctx.attemptNumber < failures) throw new Error(`flaky attempt ${ctx.attemptNumber}`);
      return records;
    },
    { failures },
  );
}

/** Runs inside a task: removes the map outputs of `shuffleId` from every executor of the application. */
function deleteShuffleFiles(ctx: TaskContext, shuffleId: number): void {
  const fs = process.getBuiltinModule('node:fs') as typeof import('node:fs');
  const path = process.getBuiltinModule('node:path') as typeof import('node:path');
  // <app dir>/<executor>/task-… → <app dir>
  const appDir = path.dirname(path.dirname(ctx.runtime.taskTempDir(ctx)));
  for (const executor of fs.readdirSync(appDir)) {
    const dir = path.join(appDir, executor, 'shuffle');
    if (!fs.existsSync(dir)) continue;
    for (const f of fs.readdirSync(dir)) if (f.startsWith(`shuffle_${shuffleId}_`)) fs.rmSync(path.join(dir, f), { force: true });
  }
}

const shuffleIdOf = (rdd: RDD<unknown>): number => (rdd.dependencies[0] as unknown as { shuffleId: number }).shuffleId;

describe('task retries (spark.task.maxFailures)', () => {
  let sc: SparkContext;
  beforeAll(() => {
    sc = new SparkContext({ master: 'local[2]', appName: 'retries' });
  });
  afterAll(async () => {
    await sc.stop();
  });

  it('by default a task gets 4 attempts: failing 3 times still succeeds, failing 4 times fails the job', async () => {
    const { result, rec } = await recorded(sc, () => flaky(sc.parallelize(range(8), 4), 3).collect());
    expect(result).toEqual(range(8));
    // Sorted: a retry queued on a busy thread may get a (speculative) copy that ends first.
    const partition1 = rec.of('taskEnd').filter((t) => t.partition === 1 && t.killed !== true);
    expect(partition1.map((t) => [t.attempt, t.successful]).sort((a, b) => Number(a[0]) - Number(b[0]))).toEqual([
      [0, false],
      [1, false],
      [2, false],
      [3, true],
    ]);

    const e = await flaky(sc.parallelize(range(8), 4), 4).collect().catch((err: unknown) => err);
    expect(e).toBeInstanceOf(JobFailedError);
    expect((e as JobFailedError).site).toMatchObject({ partition: 1, attempts: 4 });
    expect((e as Error).message).toMatch(/partition 1 failed 4 times; last error: Error: flaky attempt 3/);
  });

  it('spark.task.maxFailures sets the attempts', async () => {
    const two = new SparkContext({ master: 'local[1]', appName: 'retries-2', conf: { 'spark.task.maxFailures': '2' } });
    try {
      expect(await flaky(two.parallelize(range(8), 4), 1).collect()).toEqual(range(8));
      const e = await flaky(two.parallelize(range(8), 4), 2).collect().catch((err: unknown) => err);
      expect((e as JobFailedError).message).toMatch(/partition 1 failed 2 times/);
    } finally {
      await two.stop();
    }
  });
});

describe('killed attempts and denied commits are not failures', () => {
  it('with spark.task.maxFailures=1, a speculated straggler killed while writing output does not fail the job', async () => {
    const sc = new SparkContext({ master: 'local[3]', appName: 'killed-not-failed', conf: { 'spark.task.maxFailures': '1' } });
    const dir = mkdtempSync(path.join(tmpdir(), 'kuberdd-test-killed-'));
    try {
      const out = path.join(dir, 'out');
      const slow = sc.parallelize(range(40), 4).mapPartitions((records: Iterable<number>, ctx: TaskContext) => {
        if (ctx.partitionId === 0 && ctx.attemptNumber === 0) {
          const cell = new Int32Array(new SharedArrayBuffer(4));
          const until = Date.now() + 20_000;
          while (Date.now() < until && !ctx.isInterrupted()) Atomics.wait(cell, 0, 0, 10);
        }
        return records;
      });
      const { rec } = await recorded(sc, () => slow.saveAsTextFile(out));
      expect(rec.of('taskStart').some((t) => t.speculative)).toBe(true);
      expect(rec.of('jobEnd').map((j) => j.succeeded)).toEqual([true]);
      expect(readdirSync(out).sort()).toEqual(['_SUCCESS', 'part-00000', 'part-00001', 'part-00002', 'part-00003']);
    } finally {
      await sc.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('stage attempts (spark.stage.maxConsecutiveAttempts)', () => {
  /** A reduce stage whose every attempt first deletes the shuffle it reads: each one hits a fetch failure. */
  async function alwaysFetchFailing(conf: Record<string, string>): Promise<{ error: unknown; attempts: number }> {
    const sc = new SparkContext({ master: 'local[2]', appName: 'stage-attempts', conf });
    try {
      const sums = sc.parallelize(range(20), 2).map((x) => [x % 3, x] as [number, number]).reduceByKey((a, b) => a + b, 2);
      const shuffleId = shuffleIdOf(sums as RDD<unknown>);
      const reading = sums.mapPartitions(
        (records: Iterable<[number, number]>, ctx: TaskContext) => {
          deleteShuffleFiles(ctx, shuffleId);
          return [...records];
        },
        { deleteShuffleFiles, shuffleId },
      );
      const { result, rec } = await recorded(sc, () => reading.collect().then(() => undefined, (e: unknown) => e));
      const resultStage = rec.of('jobStart')[0]!.stageIds[0]!;
      return { error: result, attempts: rec.of('stageSubmitted').filter((s) => s.stageId === resultStage).length };
    } finally {
      await sc.stop();
    }
  }

  it('by default a stage is tried 4 times in a row on fetch failures, then the job fails', async () => {
    const { error, attempts } = await alwaysFetchFailing({});
    expect(error).toBeInstanceOf(JobFailedError);
    expect((error as Error).message).toMatch(/^stage \d+ failed 4 times on fetch failures: /);
    expect(attempts).toBe(4);
  });

  it('spark.stage.maxConsecutiveAttempts sets the attempts', async () => {
    const { error, attempts } = await alwaysFetchFailing({ 'spark.stage.maxConsecutiveAttempts': '2' });
    expect((error as Error).message).toMatch(/^stage \d+ failed 2 times on fetch failures: /);
    expect(attempts).toBe(2);
  });

  it('counts only consecutive failed attempts: a stage attempt that succeeds starts the count again', async () => {
    // Stage B (a shuffle map stage reading shuffle A) fails once on a fetch failure in each of two
    // jobs. With a limit of 2 in a row, the second failure aborts the job unless B's success in
    // between reset the count.
    const sc = new SparkContext({ master: 'local[1]', appName: 'consecutive', conf: { 'spark.stage.maxConsecutiveAttempts': '2' } });
    const tokens = mkdtempSync(path.join(tmpdir(), 'kuberdd-test-tokens-'));
    try {
      const a = sc.parallelize(range(20), 2).map((x) => [x % 4, x] as [number, number]).reduceByKey((x, y) => x + y, 2);
      const aShuffle = shuffleIdOf(a as RDD<unknown>);
      const b = a
        .mapPartitions(
          (records: Iterable<[number, number]>, ctx: TaskContext) => {
            const fs = process.getBuiltinModule('node:fs') as typeof import('node:fs');
            // One task per job claims the token (unlinking it succeeds once) and loses A's outputs.
            let claimed = true;
            try {
              fs.unlinkSync(`${tokens}/token`);
            } catch {
              claimed = false;
            }
            if (claimed) deleteShuffleFiles(ctx, aShuffle);
            return [...records].map(([k, v]) => [k % 2, v] as [number, number]);
          },
          { tokens, deleteShuffleFiles, aShuffle },
        )
        .reduceByKey((x, y) => x + y, 2);
      const bShuffle = shuffleIdOf(b as RDD<unknown>);
      const expected = new Map([
        [0, range(20).filter((x) => x % 2 === 0).reduce((s, x) => s + x, 0)],
        [1, range(20).filter((x) => x % 2 === 1).reduce((s, x) => s + x, 0)],
      ]);

      writeFileSync(path.join(tokens, 'token'), '');
      expect(new Map(await b.collect())).toEqual(expected);

      // Lose B's outputs so the next job runs B again; B then loses A's outputs once more.
      const appDir = path.join(tmpdir(), readdirSync(tmpdir()).find((n) => n.startsWith(`kuberdd-${sc.appId}-`))!);
      for (const executor of readdirSync(appDir)) {
        const dir = path.join(appDir, executor, 'shuffle');
        for (const f of readdirSync(dir)) if (f.startsWith(`shuffle_${bShuffle}_`)) rmSync(path.join(dir, f));
      }
      writeFileSync(path.join(tokens, 'token'), '');
      const { result, rec } = await recorded(sc, () => b.collect());
      expect(new Map(result)).toEqual(expected);
      expect(rec.of('taskEnd').filter((t) => (t.reason ?? '').includes('FetchFailed')).length).toBeGreaterThanOrEqual(2);
    } finally {
      await sc.stop();
      rmSync(tokens, { recursive: true, force: true });
    }
  });
});
