// Speculative execution in local mode: a partition that is slow only on its first attempt gets
// a backup copy on another executor, the copy wins, the straggler is killed, and results,
// accumulators and output files count the partition once.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { JobSummary } from '../../../src/cli/JobSummary.js';
import { SparkContext, type RDD, type TaskContext } from '../../../src/index.js';
import { record, recorded } from '../runtime/events.js';

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

/**
 * Doubles each record; the first attempt of `slowPartition` first waits up to `slowMs`, waking
 * every 10 ms to see whether it was killed.
 */
function withStraggler(rdd: RDD<number>, slowPartition: number, slowMs: number): RDD<number> {
  return rdd.mapPartitions(
    (records: Iterable<number>, ctx: TaskContext) => {
      if (ctx.partitionId === slowPartition && ctx.attemptNumber === 0) {
        const cell = new Int32Array(new SharedArrayBuffer(4));
        const until = Date.now() + slowMs;
        while (Date.now() < until && !ctx.isInterrupted()) Atomics.wait(cell, 0, 0, 10);
      }
      return [...records].map((x) => x * 2);
    },
    { slowPartition, slowMs },
  );
}

describe('speculation (local[3], on by default)', () => {
  let sc: SparkContext;
  let dir: string;
  const summary = new JobSummary();
  beforeAll(() => {
    sc = new SparkContext({ master: 'local[3]', appName: 'speculation' });
    sc.addListener(summary.listener);
    dir = mkdtempSync(path.join(tmpdir(), 'kuberdd-test-speculation-'));
  });
  afterAll(async () => {
    await sc.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('backs up a straggler on another executor: the job finishes long before the slow attempt would, with the right result', async () => {
    const acc = sc.longAccumulator();
    // Partition 1 goes first to its thread, so its slow attempt starts at once (a task queued
    // behind another may be moved before it ever starts).
    const rdd = withStraggler(sc.parallelize(range(60), 6), 1, 20_000).map(
      (x) => {
        acc.add(1);
        return x;
      },
      { acc },
    );
    // Recording goes on after the job: the killed straggler reports after the winner.
    const rec = record(sc);
    onTestFinished(() => rec.stop());
    const t0 = performance.now();
    const result = await rdd.collect();
    const elapsed = performance.now() - t0;
    expect(elapsed).toBeLessThan(8_000);
    expect(result).toEqual(range(60).map((x) => x * 2));
    // Each partition counted once, although partition 3 ran twice.
    expect(acc.value).toBe(60);

    const starts = rec.of('taskStart').filter((t) => t.partition === 1);
    const original = starts.find((t) => t.attempt === 0)!;
    expect(original).toMatchObject({ speculative: false });
    const copy = starts.find((t) => t.speculative)!;
    expect(copy).toBeDefined();
    expect(copy.attempt).toBeGreaterThan(0);
    expect(copy.executorId).not.toBe(original.executorId);
    expect(rec.of('taskEnd').find((t) => t.taskId === copy.taskId)).toMatchObject({ successful: true, speculative: true });
    // The straggler is killed once the copy wins (its end may arrive after the job's).
    for (let i = 0; i < 200 && !rec.events.some((e) => e.type === 'taskEnd' && e.taskId === original.taskId); i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(rec.of('taskEnd').find((t) => t.taskId === original.taskId)).toMatchObject({ successful: false, killed: true });

    const stageId = rec.of('stageSubmitted')[0]!.stageId;
    const counters = sc.statusTracker().stageCounters(stageId)!;
    expect(counters.tasks.speculative).toBeGreaterThanOrEqual(1);
    expect(counters.tasks.killed).toBeGreaterThanOrEqual(1);
    expect(counters.tasks.failed).toBe(0);
    expect(counters.recordsOut).toBe(60); // the winning copy's records only
    expect(summary.format()).toMatch(/\n {2}(.*; )?\d+ speculative tasks?(;|\n)/);
  });

  it('a straggler copied during saveAsTextFile: one part file per partition, with the right contents', async () => {
    const out = path.join(dir, 'out');
    const { rec } = await recorded(sc, () => withStraggler(sc.parallelize(range(40), 4), 2, 20_000).saveAsTextFile(out));
    expect(rec.of('taskStart').some((t) => t.partition === 2 && t.speculative)).toBe(true);
    expect(readdirSync(out).sort()).toEqual(['_SUCCESS', 'part-00000', 'part-00001', 'part-00002', 'part-00003']);
    for (let p = 0; p < 4; p++) {
      const lines = readFileSync(path.join(out, `part-0000${p}`), 'utf8').trimEnd().split('\n').map(Number);
      expect(lines).toEqual(range(10).map((i) => (p * 10 + i) * 2));
    }
  });
});

describe('speculation off (spark.speculation=false)', () => {
  it('launches no backup copy: the job waits for the slow attempt', async () => {
    const sc = new SparkContext({ master: 'local[3]', appName: 'no-speculation', conf: { 'spark.speculation': 'false' } });
    try {
      const t0 = performance.now();
      const { result, rec } = await recorded(sc, () => withStraggler(sc.parallelize(range(60), 6), 3, 1_500).collect());
      expect(performance.now() - t0).toBeGreaterThanOrEqual(1_400);
      expect(result).toEqual(range(60).map((x) => x * 2));
      expect(rec.of('taskStart').filter((t) => t.speculative)).toEqual([]);
      expect(rec.of('taskEnd').every((t) => t.successful && t.speculative === false)).toBe(true);
    } finally {
      await sc.stop();
    }
  });
});
