// Bad input and failing user code: clear errors that name where things went wrong, and no
// files left behind.
import { mkdtempSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobFailedError, SparkContext, UserInputError, type RDD } from '../../../src/index.js';
import { tempDirsOf } from './events.js';

/** Files and directories under the context's temp dir whose names match `pattern`. */
function leftovers(sc: SparkContext, pattern: RegExp): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const p = path.join(dir, name);
      if (pattern.test(name)) out.push(p);
      if (statSync(p).isDirectory()) walk(p);
    }
  };
  for (const d of tempDirsOf(sc)) walk(path.join(tmpdir(), d));
  return out;
}

async function jobError(p: Promise<unknown>): Promise<JobFailedError> {
  const e = await p.then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(e).toBeInstanceOf(JobFailedError);
  return e as JobFailedError;
}

describe('runtime: failures and bad input', () => {
  let sc: SparkContext;
  let dir: string;
  beforeAll(() => {
    sc = new SparkContext({ master: 'local[2]', appName: 'runtime-failures' });
    dir = mkdtempSync(path.join(tmpdir(), 'kuberdd-test-failures-'));
  });
  afterAll(async () => {
    await sc.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a throwing transformation fails the action with the stage, partition, attempts and user frame', async () => {
    const line = Number(new Error().stack!.split('\n')[1]!.match(/:(\d+):\d+\)?$/)![1]) + 1; // the .map( line
    const doubled = sc.parallelize([1, 2, 3, 4], 2).map((x) => {
      if (x === 3) throw new RangeError(`bad record ${x}`);
      return x * 2;
    });
    const e = await jobError(doubled.filter((x) => x > 0).collect());
    const site = e.site!;
    expect(site.partition).toBe(1);
    expect(site.attempts).toBe(4);
    expect(site.remoteName).toBe('RangeError');
    expect(site.remoteMessage).toBe('bad record 3');
    expect(site.remoteStack).toContain('RangeError: bad record 3');
    expect(site.userFrame).toMatch(new RegExp(`^map\\(\\) function at test/integration/runtime/failures\\.test\\.ts:${line}:\\d+ \\(line 2 of the function\\)$`));
    // The stage is named after the action's call site, as in Spark.
    expect(e.message).toMatch(new RegExp(`^stage ${site.stageId} \\(collect at test/integration/runtime/failures\\.test\\.ts:${line + 4}:\\d+\\) failed: `));
    expect(e.message.endsWith(`failed: partition 1 failed 4 times; last error: RangeError: bad record 3; in ${site.userFrame}`)).toBe(true);
    expect(e.code).toBe('JOB_FAILED');
  });

  it('a failure in a shuffle map stage names that stage', async () => {
    const e = await jobError(
      sc
        .parallelize([1, 2, 3, 4, 5, 6], 3)
        .map((x) => [x % 2, x] as [number, number])
        .mapValues((v) => {
          if (v === 6) throw new Error('no sixes');
          return v;
        })
        .reduceByKey((a, b) => a + b)
        .collect(),
    );
    expect(e.site!.partition).toBe(2);
    expect(e.message).toMatch(/^stage \d+ \(mapValues at test\/integration\/runtime\/failures\.test\.ts:\d+:\d+\) failed: partition 2 failed 4 times; last error: Error: no sixes; in mapValues\(\) function at .*failures\.test\.ts:\d+:\d+ \(line 2 of the function\)$/);
  });

  it('zip with unequal partition sizes or counts', async () => {
    const a = sc.parallelize([1, 2, 3, 4], 2);
    const b = sc.parallelize(['a', 'b', 'c', 'd', 'e'], 2);
    const e = await jobError(a.zip(b).collect());
    expect(e.site!.remoteName).toBe('UserInputError');
    expect(e.message).toMatch(/zip\(\) can only zip RDDs with the same number of elements in each partition; partition 1 differs/);

    expect(() => a.zip(sc.parallelize([1, 2, 3, 4], 3))).toThrow(UserInputError);
    expect(() => a.zip(sc.parallelize([1, 2, 3, 4], 3))).toThrow(/same number of partitions: 2 vs 3/);
  });

  it('a pair function on elements that are not pairs', async () => {
    const reduce = (sc.parallelize([1, 2, 3], 2) as unknown as RDD<[number, number]>).reduceByKey((x, y) => x + y);
    const e = await jobError(reduce.collect());
    expect(e.site!.remoteName).toBe('UserInputError');
    // Both partitions fail; whichever exhausts its attempts first is reported.
    expect(e.message).toMatch(/needs \[key, value\] pairs, but found [123]: pair functions \(reduceByKey, join, …\) work on RDDs of 2-element arrays/);

    const mapped = (sc.parallelize(['x'], 1) as unknown as RDD<[string, number]>).mapValues((v) => v + 1);
    const e2 = await jobError(mapped.collect());
    expect(e2.message).toMatch(/mapValues\(\) needs an RDD of \[key, value\] pairs, but found the element "x"/);
  });

  it('a missing input path rejects with UserInputError naming the path', async () => {
    const missing = path.join(dir, 'no-such-file.txt');
    const e = await sc.textFile(missing).count().then(() => undefined, (err: unknown) => err);
    expect(e).toBeInstanceOf(UserInputError);
    expect((e as UserInputError).code).toBe('INPUT_NOT_FOUND');
    expect((e as Error).message).toContain(missing);
    // A glob that matches nothing, too.
    await expect(sc.textFile(path.join(dir, '*.csv')).collect()).rejects.toThrow(/Input pattern matches no files: .*\*\.csv/);
    // The context is fine afterwards, and a fixed path works.
    writeFileSync(missing, 'a\nb\n');
    expect(await sc.textFile(missing).count()).toBe(2);
  });

  it('an unreadable input path rejects with UserInputError naming the path', async () => {
    const dangling = path.join(dir, 'dangling.txt');
    symlinkSync(path.join(dir, 'gone.txt'), dangling);
    const e = await sc.textFile(dangling).count().then(() => undefined, (err: unknown) => err);
    expect(e).toBeInstanceOf(UserInputError);
    expect((e as UserInputError).code).toBe('INPUT_UNREADABLE');
    expect((e as Error).message).toContain(dangling);

    // A file removed after the job was planned: the tasks fail naming it.
    const vanishing = path.join(dir, 'vanishing.txt');
    writeFileSync(vanishing, 'x\ny\n');
    const lines = sc.textFile(vanishing, 1);
    expect(lines.getNumPartitions()).toBe(1);
    rmSync(vanishing);
    const e2 = await jobError(lines.count());
    expect(e2.site!.remoteName).toBe('UserInputError');
    expect(e2.message).toContain(vanishing);
  });

  it('failed tasks leave no temporary or half-written files behind', async () => {
    await jobError(
      sc
        .parallelize([1, 2, 3, 4], 2)
        .mapPartitionsWithIndex((i, it, ctx) => {
          const fs = process.getBuiltinModule('node:fs') as typeof import('node:fs');
          const scratch = ctx.runtime.taskTempDir(ctx);
          fs.writeFileSync(`${scratch}/partial-${i}.tmp`, 'half');
          if (i === 1) throw new Error('failed mid-write');
          return [...it].map((x) => [x, i] as [number, number]);
        })
        .groupByKey()
        .collect(),
    );
    // The job fails as soon as partition 1 gives up; partition 0's task may still be finishing
    // (it removes its own scratch files when it ends), so wait for it before looking.
    await expect.poll(() => leftovers(sc, /^task-|\.tmp$/), { timeout: 10_000, interval: 50 }).toEqual([]);
    await expect.poll(() => leftovers(sc, /\.data$/).length, { timeout: 10_000, interval: 50 }).toBeGreaterThan(0); // the good map output is kept for reuse
  });
});

describe('runtime: temporary files', () => {
  it('sc.stop() removes the context temp dir, also after a failed job', async () => {
    const sc = new SparkContext({ master: 'local[1]', appName: 'runtime-tmp' });
    expect(tempDirsOf(sc)).toHaveLength(1);
    expect(tempDirsOf(sc)[0]).toMatch(new RegExp(`^kuberdd-${sc.appId}-`));
    await sc.parallelize([1, 2, 3], 3).map((x) => [x, x] as [number, number]).reduceByKey((a, b) => a + b).collect();
    await expect(
      sc
        .parallelize([1, 2], 2)
        .map((x) => [x, x] as [number, number])
        .reduceByKey((a, b) => {
          throw new Error(`cannot merge ${a} and ${b}`);
        }, 1)
        .map((kv) => {
          if (kv[0] > 0) throw new Error('boom');
          return kv;
        })
        .collect(),
    ).rejects.toBeInstanceOf(JobFailedError);
    await sc.stop();
    expect(tempDirsOf(sc)).toEqual([]);
  });
});
