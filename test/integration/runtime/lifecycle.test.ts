// Context lifecycle: default parallelism, stopping (twice, during a job), and using a stopped
// context.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { JobCancelledError, SparkContext, UserInputError } from '../../../src/index.js';
import { recorded, tempDirsOf } from './events.js';

describe('runtime: context lifecycle', () => {
  it('master defaults to local[*]: one executor thread per core', async () => {
    const sc = new SparkContext({ appName: 'runtime-default-master' });
    try {
      expect(sc.master).toBe('local[*]');
      expect(sc.defaultParallelism).toBe(availableParallelism());
      const n = availableParallelism() * 2;
      const { result, rec } = await recorded(sc, () => sc.parallelize(Array.from({ length: n }, (_, i) => i)).count());
      expect(result).toBe(n);
      expect(rec.of('taskStart')).toHaveLength(availableParallelism()); // default slices = cores
      expect(new Set(rec.of('taskStart').map((t) => t.executorId)).size).toBe(availableParallelism());
    } finally {
      await sc.stop();
    }
  });

  it('stop() twice (or concurrently) is fine; a stopped context refuses work clearly', async () => {
    const sc = new SparkContext({ master: 'local[1]', appName: 'runtime-stop' });
    const rdd = sc.parallelize([1, 2, 3], 1);
    expect(await rdd.count()).toBe(3);
    const first = sc.stop();
    await sc.stop(); // a second, concurrent call also resolves only once everything is cleaned up
    expect(tempDirsOf(sc)).toEqual([]);
    await first;
    await sc.stop();
    expect(sc.isStopped).toBe(true);

    const message = 'this SparkContext was stopped; create a new one to run more jobs';
    expect(() => sc.parallelize([1])).toThrow(UserInputError);
    expect(() => sc.parallelize([1])).toThrow(message);
    expect(() => sc.range(10)).toThrow(message);
    expect(() => sc.textFile('whatever.txt')).toThrow(message);
    await expect(rdd.count()).rejects.toThrow(message);
    await expect(rdd.map((x) => x + 1).collect()).rejects.toBeInstanceOf(UserInputError);
  });

  it('stop() during a job cancels it and still removes every temporary file', async () => {
    const sc = new SparkContext({ master: 'local[2]', appName: 'runtime-stop-running' });
    let started!: () => void;
    const running = new Promise<void>((r) => (started = r));
    sc.addListener((e) => e.type === 'taskStart' && started());
    const job = sc.range(0, 1e13, 1, 2).map((x) => [x % 5, x] as [number, number]).reduceByKey((a, b) => a + b).count();
    const outcome = job.then(
      () => undefined,
      (e: unknown) => e,
    );
    await running;
    const t0 = performance.now();
    await sc.stop();
    expect(performance.now() - t0).toBeLessThan(1500); // tasks were killed, not waited for
    const error = await outcome;
    expect(error).toBeInstanceOf(JobCancelledError);
    expect((error as Error).message).toMatch(/the SparkContext was stopped/);
    expect(tempDirsOf(sc)).toEqual([]);
  });

  it('an invalid configuration fails the constructor without leaving a temp dir', () => {
    const localDir = mkdtempSync(path.join(tmpdir(), 'kuberdd-test-localdir-'));
    try {
      for (const conf of [{ 'spark.task.maxFailures': 'lots' }, { 'spark.locality.wait': 'soon' }, { 'spark.stage.maxConsecutiveAttempts': '-1' }]) {
        expect(() => new SparkContext({ master: 'local[1]', conf: { 'kuberdd.local.dir': localDir, ...conf } })).toThrow(UserInputError);
      }
      expect(() => new SparkContext({ master: 'local[0]', conf: { 'kuberdd.local.dir': localDir } })).toThrow(/unknown master "local\[0\]"/);
      expect(readdirSync(localDir)).toEqual([]);
    } finally {
      rmSync(localDir, { recursive: true, force: true });
    }
  });
});
