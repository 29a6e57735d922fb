// Job groups: cancelling a group fails its actions with JobCancelledError, stops their running
// tasks promptly, and leaves the context usable.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobCancelledError, SparkContext } from '../../../src/index.js';
import { nextEvent, record, type Recording } from './events.js';

const HUGE = 1e13; // far more records than any test could finish

describe('runtime: cancellation', () => {
  let sc: SparkContext;
  beforeAll(() => {
    sc = new SparkContext({ master: 'local[2]', appName: 'runtime-cancel' });
  });
  afterAll(async () => {
    await sc.stop();
  });

  /**
   * Starts `action`, cancels `group` once `runningTasks` tasks run, and measures how long after
   * the cancel the action rejected and every launched task had ended (-1: not within 1 s).
   */
  async function cancelWhenRunning(
    group: string,
    action: () => Promise<unknown>,
    runningTasks: number,
  ): Promise<{ error: unknown; ms: number; tasksStoppedMs: number; rec: Recording }> {
    const rec = record(sc);
    const settled = action().then(
      () => ({ error: undefined, at: performance.now() }),
      (error: unknown) => ({ error, at: performance.now() }),
    );
    while (rec.of('taskStart').length < runningTasks) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 200)); // let the tasks get deep into their loops
    const t0 = performance.now();
    sc.cancelJobGroup(group);
    const { error, at } = await settled;
    // Every launched task ends; queued ones end without ever starting (killed in the queue).
    const launched = (): number => new Set([...rec.of('taskStart'), ...rec.of('taskEnd')].map((t) => t.taskId)).size;
    while (rec.of('taskEnd').length < launched() && performance.now() - t0 < 1000) {
      await new Promise((r) => setTimeout(r, 10));
    }
    const stopped = rec.of('taskEnd').length === launched();
    rec.stop();
    return { error, ms: at - t0, tasksStoppedMs: stopped ? performance.now() - t0 : -1, rec };
  }

  it('withJobGroup + cancelJobGroup rejects with JobCancelledError and kills the running tasks', async () => {
    // 4 partitions on 2 threads: each thread runs one task and holds one queued (not started).
    const { error, ms, tasksStoppedMs, rec } = await cancelWhenRunning(
      'etl',
      () => sc.withJobGroup('etl', () => sc.range(0, HUGE, 1, 4).map((x) => x * 2).count()),
      2,
    );
    expect(error).toBeInstanceOf(JobCancelledError);
    expect((error as Error).message).toMatch(/job group "etl" was cancelled/);
    expect(ms).toBeLessThan(1000);
    // The running tasks really stop: every launched task ends, killed, within a second.
    expect(tasksStoppedMs).toBeGreaterThanOrEqual(0);
    expect(rec.of('taskEnd').every((t) => !t.successful)).toBe(true);
    expect(new Set(rec.of('taskStart').map((t) => t.executorId)).size).toBe(2);
    expect(rec.of('jobEnd')).toEqual([expect.objectContaining({ succeeded: false })]);

    // The threads are free again: a later job runs normally and quickly.
    const t0 = performance.now();
    expect(await sc.parallelize([1, 2, 3, 4], 4).map((x) => x + 1).collect()).toEqual([2, 3, 4, 5]);
    expect(performance.now() - t0).toBeLessThan(2000);
  });

  it('kills tasks whose user function loops over the whole partition in one call', async () => {
    // mapPartitions consumes its input inside one call: the kill must be checked as each
    // batch of the range enters the task, not only between the task's output batches.
    const { error, ms, tasksStoppedMs } = await cancelWhenRunning(
      'sum',
      () =>
        sc.withJobGroup('sum', () =>
          sc
            .range(0, HUGE, 1, 2)
            .mapPartitions((it) => {
              let s = 0;
              for (const x of it) s += x;
              return [s];
            })
            .collect(),
        ),
      2,
    );
    expect(error).toBeInstanceOf(JobCancelledError);
    expect(ms).toBeLessThan(1000);
    expect(tasksStoppedMs).toBeGreaterThanOrEqual(0);
    const t0 = performance.now();
    expect(await sc.parallelize([5, 6], 2).map((x) => x * 10).collect()).toEqual([50, 60]);
    expect(performance.now() - t0).toBeLessThan(2000);
  });

  it('setJobGroup applies to later actions; other groups keep running', async () => {
    const other = sc.withJobGroup('keep', () => sc.range(0, 200_000, 1, 2).map((x) => x % 7).sum());
    const { error, ms, tasksStoppedMs } = await cancelWhenRunning(
      'scan',
      async () => {
        sc.setJobGroup('scan');
        const p = sc.range(0, HUGE, 1, 2).filter((x) => x % 2 === 0).count();
        sc.clearJobGroup();
        return p;
      },
      1,
    );
    expect(error).toBeInstanceOf(JobCancelledError);
    expect(ms).toBeLessThan(1000);
    expect(tasksStoppedMs).toBeGreaterThanOrEqual(0);
    let expected = 0;
    for (let x = 0; x < 200_000; x++) expected += x % 7;
    expect(await other).toBe(expected);
  });

  it('cancels a group whose action was started but not yet submitted', async () => {
    const action = sc.withJobGroup('early', () => sc.range(0, HUGE, 1, 2).count());
    sc.cancelJobGroup('early'); // same tick: the job has not reached the scheduler yet
    const t0 = performance.now();
    await expect(action).rejects.toBeInstanceOf(JobCancelledError);
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(await sc.parallelize([1, 2, 3], 3).count()).toBe(3);
  });

  it('cancelAllJobs cancels every running action', async () => {
    const a = sc.range(0, HUGE, 1, 2).count();
    const b = sc.withJobGroup('g', () => sc.range(0, HUGE, 1, 2).map((x) => [x % 3, x] as [number, number]).reduceByKey((p, q) => p + q).count());
    let started = 0;
    await nextEvent(sc, (e) => e.type === 'taskStart' && ++started >= 2);
    sc.cancelAllJobs();
    await expect(a).rejects.toBeInstanceOf(JobCancelledError);
    await expect(b).rejects.toBeInstanceOf(JobCancelledError);
    expect(await sc.range(0, 100, 1, 4).count()).toBe(100);
  });
});
