// Bad-record skipping (kuberdd.task.skipBadRecords, MapReduce's skipping mode): records that
// make a task fail deterministically are skipped, counted, logged and reported; without the
// flag the job fails as before.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobSummary } from '../../../src/cli/JobSummary.js';
import type { Logger } from '../../../src/common/logging/Logger.js';
import { JobFailedError, SparkContext } from '../../../src/index.js';
import { recorded } from '../runtime/events.js';

const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);

/** A logger that keeps what it is told. */
function capturingLogger(): Logger & { readonly lines: { level: string; message: string; fields: Record<string, unknown> }[] } {
  const lines: { level: string; message: string; fields: Record<string, unknown> }[] = [];
  const at =
    (level: string) =>
    (message: string, fields: Record<string, unknown> = {}): void =>
      void lines.push({ level, message, fields });
  const logger = { lines, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), child: () => logger };
  return logger;
}

/** Ten times each record; records in `bad` throw. */
const tenfoldUnless = (bad: readonly number[]) => (x: number) => {
  if (bad.includes(x)) throw new RangeError(`bad record ${x}`);
  return x * 10;
};

describe('bad-record skipping on (kuberdd.task.skipBadRecords=true)', () => {
  let sc: SparkContext;
  let dir: string;
  const logger = capturingLogger();
  const summary = new JobSummary();
  beforeAll(() => {
    sc = new SparkContext({ master: 'local[2]', appName: 'skipping', conf: { 'kuberdd.task.skipBadRecords': 'true' }, logger });
    sc.addListener(summary.listener);
    dir = mkdtempSync(path.join(tmpdir(), 'kuberdd-test-skipping-'));
  });
  afterAll(async () => {
    await sc.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('completes without the records that throw, counts them and logs each with its stage, partition and position', async () => {
    const bad = [13, 77, 78]; // partitions of 25: 13 is record 13 of partition 0; 77, 78 records 2, 3 of partition 3
    const { result, rec } = await recorded(sc, () => sc.parallelize(range(0, 100), 4).map(tenfoldUnless(bad), { bad }).collect());
    expect(result).toEqual(range(0, 100).filter((x) => !bad.includes(x)).map((x) => x * 10));

    const stageId = rec.of('stageSubmitted')[0]!.stageId;
    expect(sc.statusTracker().stageCounters(stageId)).toMatchObject({ skippedRecords: 3, recordsIn: 100, recordsOut: 97 });
    expect(summary.format()).toContain('3 bad records skipped');
    // Partition 3 found two bad records without using up its 4 attempts: one counted failure
    // (the first, batched attempt), then two pinned failures per bad record.
    const p3 = rec.of('taskEnd').filter((t) => t.partition === 3);
    expect(p3.map((t) => t.successful)).toEqual([false, false, false, false, false, true]);

    const skips = logger.lines.filter((l) => l.message.startsWith('skipping a bad input record'));
    expect(skips.map((l) => [l.fields['stage'], l.fields['partition'], l.fields['record']])).toEqual(
      expect.arrayContaining([
        [stageId, 0, 13],
        [stageId, 3, 2],
        [stageId, 3, 3],
      ]),
    );
    expect(skips).toHaveLength(3);
    expect(skips[0]!.fields['error']).toMatch(/^RangeError: bad record \d+$/);
  });

  it('numbers records at the stage input: a bad text line before a shuffle, a bad aggregated record after it', async () => {
    const file = path.join(dir, 'numbers.txt');
    const lines = range(0, 60).map((i) => (i === 17 ? `${i} x` : `${i} ${i + 100}`));
    writeFileSync(file, `${lines.join('\n')}\n`);
    const { result, rec } = await recorded(sc, () =>
      sc
        .textFile(file, 2)
        .flatMap((line) => line.split(' '))
        .map((w) => {
          const n = Number(w);
          if (!Number.isFinite(n)) throw new TypeError(`not a number: ${w}`);
          return [n % 5, n] as [number, number];
        })
        .reduceByKey((a, b) => a + b, 2)
        .map(([k, sum]) => {
          if (k === 3) throw new Error('no threes');
          return [k, sum] as [number, number];
        })
        .collect(),
    );
    // Line 17 goes as a whole (it is the map stage's input record), key 3 after the shuffle.
    const expected = new Map<number, number>();
    for (const [i, line] of lines.entries()) {
      if (i === 17) continue;
      for (const n of line.split(' ').map(Number)) expected.set(n % 5, (expected.get(n % 5) ?? 0) + n);
    }
    expected.delete(3);
    expect(new Map(result)).toEqual(expected);
    const [mapStage, reduceStage] = rec.of('stageSubmitted').map((s) => sc.statusTracker().stageCounters(s.stageId)!);
    expect(mapStage).toMatchObject({ skippedRecords: 1, recordsIn: 60 });
    expect(reduceStage!.skippedRecords).toBe(1);
    // The reduce stage reads what the map stage wrote.
    expect(reduceStage!.recordsIn).toBe(mapStage!.recordsOut);
    expect(reduceStage!.recordsOut).toBe(4);
  });
});

describe('bad-record skipping budget', () => {
  it('finding bad records does not use up spark.task.maxFailures, but at most kuberdd.task.maxSkippedRecords are skipped', async () => {
    const bad = [2, 5, 7];
    const generous = new SparkContext({
      master: 'local[1]',
      appName: 'skipping-budget',
      conf: { 'kuberdd.task.skipBadRecords': 'true', 'spark.task.maxFailures': '2' },
    });
    try {
      expect(await generous.parallelize(range(0, 10), 1).map(tenfoldUnless(bad), { bad }).collect()).toEqual([0, 10, 30, 40, 60, 80, 90]);
    } finally {
      await generous.stop();
    }
    const strict = new SparkContext({
      master: 'local[1]',
      appName: 'skipping-limit',
      conf: { 'kuberdd.task.skipBadRecords': 'true', 'spark.task.maxFailures': '2', 'kuberdd.task.maxSkippedRecords': '2' },
    });
    try {
      const e = await strict.parallelize(range(0, 10), 1).map(tenfoldUnless(bad), { bad }).collect().catch((err: unknown) => err);
      expect(e).toBeInstanceOf(JobFailedError);
      expect((e as JobFailedError).message).toMatch(/failed 2 times; last error: RangeError: bad record 7/);
    } finally {
      await strict.stop();
    }
  });
});

describe('bad-record skipping off (the default)', () => {
  it('the job fails as before', async () => {
    const sc = new SparkContext({ master: 'local[2]', appName: 'no-skipping' });
    try {
      const bad = [13];
      const e = await sc.parallelize(range(0, 100), 4).map(tenfoldUnless(bad), { bad }).collect().catch((err: unknown) => err);
      expect(e).toBeInstanceOf(JobFailedError);
      expect((e as JobFailedError).message).toMatch(/partition 0 failed 4 times; last error: RangeError: bad record 13/);
    } finally {
      await sc.stop();
    }
  });
});
