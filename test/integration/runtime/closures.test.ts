// Closures: what a shipped function may use is checked where it is written, with messages that
// say how to fix the call; driver-only objects are refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClosureError, JobFailedError, SparkContext } from '../../../src/index.js';

describe('runtime: closures', () => {
  let sc: SparkContext;
  beforeAll(() => {
    sc = new SparkContext({ master: 'local[2]', appName: 'runtime-closures' });
  });
  afterAll(async () => {
    await sc.stop();
  });

  /** The ClosureError thrown by `fn`, checked to be thrown right there (synchronously). */
  function closureError(fn: () => unknown): ClosureError {
    try {
      fn();
    } catch (e) {
      expect(e).toBeInstanceOf(ClosureError);
      return e as ClosureError;
    }
    throw new Error('expected a ClosureError');
  }

  it('names a free variable at the call site, with the fix', () => {
    const threshold = 10;
    const nums = sc.parallelize([5, 15, 25], 3);
    const e = closureError(() => nums.map((x) => x > threshold));
    expect(e.message).toBe('map() uses `threshold`, which executors cannot see: pass it as .map(fn, { threshold })');
    expect(e.stack).toContain('closures.test.ts'); // thrown where the transformation is written
    expect(e.code).toBe('CLOSURE');

    const factor = 2;
    const offset = 1;
    const e2 = closureError(() => nums.filter((x) => x * factor > offset + threshold, { factor }));
    expect(e2.message).toBe(
      'filter() uses `offset` and `threshold`, which executors cannot see: pass them as .filter(fn, { factor, offset, threshold })',
    );
    // Following the advice works.
    return expect(nums.map((x) => x > threshold, { threshold }).collect()).resolves.toEqual([false, true, true]);
  });

  it('checks actions and pair functions the same way', async () => {
    const limit = 3;
    const pairs = sc.parallelize([['a', 1] as [string, number]], 1);
    expect(closureError(() => pairs.reduceByKey((a, b) => Math.min(a + b, limit))).message).toBe(
      'reduceByKey() uses `limit`, which executors cannot see: pass it as .reduceByKey(fn, { limit })',
    );
    // An action's function is captured before any job starts: the action rejects with it.
    const action = sc.parallelize([1, 2], 2).foreach((x) => console.log(x + limit));
    await expect(action).rejects.toBeInstanceOf(ClosureError);
    await expect(action).rejects.toThrow('foreach() uses `limit`, which executors cannot see: pass it as .foreach(fn, { limit })');
  });

  it('refuses an RDD in the environment: no actions or transformations inside a task', () => {
    const other = sc.parallelize([1, 2, 3], 1);
    const e = closureError(() => sc.parallelize([1], 1).map(() => other.count(), { other }));
    expect(e.message).toMatch(/^map\(\) cannot ship env value `other`: an instance of `RDD` cannot be used inside functions that run on executors/);
    expect(e.message).toMatch(/nested RDD operations are not supported/);
    expect(e.message).toMatch(/collect\(\) or broadcast what the function needs instead/);
    // Also when hidden inside data.
    const e2 = closureError(() => sc.parallelize([1], 1).map((x) => x + cfg.n, { cfg: { n: 1, source: other } }));
    expect(e2.message).toMatch(/env value `cfg\.source`: an instance of `RDD`/);
  });

  it('refuses the SparkContext in the environment', () => {
    const e = closureError(() => sc.parallelize([1], 1).map((x) => sc.parallelize([x]), { sc }));
    expect(e.message).toMatch(/^map\(\) cannot ship env value `sc`: an instance of `SparkContext` cannot be used inside functions that run on executors: the SparkContext exists only on the driver/);
  });

  it('refuses class instances and names a function that cannot be shipped', () => {
    class Rules {
      max = 3;
    }
    const rules = new Rules();
    expect(closureError(() => sc.parallelize([1], 1).map((x) => x < rules.max, { rules })).message).toMatch(
      /env value `rules`: an instance of `Rules` would lose its prototype/,
    );
    const hidden = 5;
    const helper = (x: number): number => x + hidden;
    expect(closureError(() => sc.parallelize([1], 1).map((x) => helper(x), { helper })).message).toMatch(
      /map\(\) env value `helper` is function `helper` that uses `hidden`, which executors cannot see/,
    );
  });

  it('a function that reaches for driver state at run time fails the job clearly', async () => {
    // `globalThis` is allowed, but the driver's globals are not the executor's.
    (globalThis as Record<string, unknown>).__driverOnly = { rate: 2 };
    const job = sc
      .parallelize([1, 2], 2)
      .map((x) => x * (globalThis as unknown as { __driverOnly: { rate: number } }).__driverOnly.rate)
      .collect();
    await expect(job).rejects.toBeInstanceOf(JobFailedError);
    await expect(job).rejects.toThrow(/TypeError: Cannot read properties of undefined \(reading 'rate'\)/);
    delete (globalThis as Record<string, unknown>).__driverOnly;
  });
});
