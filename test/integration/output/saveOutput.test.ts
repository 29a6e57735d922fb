// saveAsTextFile / saveAsObjectFile / objectFile with the output commit protocol, end to end on
// local threads: round trips, _SUCCESS, existing directories, retried attempts committing once,
// failed jobs leaving nothing, and corrupt object files.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobFailedError, SparkContext, UserInputError, type SparkListenerEvent, type TaskContext } from '../../../src/index.js';

const parts = (dir: string): string[] => readdirSync(dir).filter((n) => n.startsWith('part-')).sort();

async function rejection(p: Promise<unknown>): Promise<Error> {
  return p.then(
    () => {
      throw new Error('expected a rejection, but it resolved');
    },
    (e: unknown) => e as Error,
  );
}

describe('output: saveAsTextFile, saveAsObjectFile and the commit protocol', () => {
  let sc: SparkContext;
  let dir: string;
  let n = 0;
  const out = (): string => path.join(dir, `out-${n++}`);
  beforeAll(() => {
    sc = new SparkContext({ master: 'local[2]', appName: 'output' });
    dir = mkdtempSync(path.join(tmpdir(), 'kuberdd-test-output-'));
  });
  afterAll(async () => {
    await sc.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('saveAsTextFile writes one part file per partition, lines in order, then _SUCCESS and no _temporary', async () => {
    const target = out();
    const data = Array.from({ length: 50 }, (_, i) => (i % 7 === 0 ? { i } : i % 5 === 0 ? `w${i}` : i));
    await sc.parallelize(data, 3).saveAsTextFile(target);
    expect(readdirSync(target).sort()).toEqual(['_SUCCESS', 'part-00000', 'part-00001', 'part-00002']);
    const lines = parts(target).flatMap((p) => readFileSync(path.join(target, p), 'utf8').split('\n').slice(0, -1));
    expect(lines).toEqual(data.map((x) => String(x)));
    // Read back with textFile: _SUCCESS is skipped, parts come in order.
    expect(await sc.textFile(target).collect()).toEqual(data.map((x) => String(x)));
  });

  it('empty partitions give empty part files; an empty RDD gives just _SUCCESS', async () => {
    const a = out();
    await sc.parallelize([1], 3).saveAsTextFile(a);
    expect(parts(a)).toEqual(['part-00000', 'part-00001', 'part-00002']);
    expect(parts(a).map((p) => statSync(path.join(a, p)).size)).toEqual([0, 0, 2]);
    const b = out();
    await sc.emptyRDD<number>().saveAsTextFile(b);
    expect(readdirSync(b)).toEqual(['_SUCCESS']);
  });

  it('sortByKey then saveAsTextFile: the part files hold the sorted lines, ranges in order (the range bounds come from a sampling job)', async () => {
    const target = out();
    const lines = Array.from({ length: 3000 }, (_, i) => `${String((i * 7919) % 1000).padStart(4, '0')}${i % 3 === 0 ? 'é' : ''} line ${i}`);
    await sc
      .parallelize(lines, 4)
      .map((l) => [l.slice(0, 4), l] as [string, string])
      .sortByKey(true, 3)
      .values()
      .saveAsTextFile(target);
    expect(parts(target)).toEqual(['part-00000', 'part-00001', 'part-00002']);
    const written = parts(target).flatMap((p) => readFileSync(path.join(target, p), 'utf8').split('\n').slice(0, -1));
    // Stable: equal keys keep their input order.
    const expected = [...lines].sort((a, b) => (a.slice(0, 4) < b.slice(0, 4) ? -1 : a.slice(0, 4) > b.slice(0, 4) ? 1 : 0));
    expect(written).toEqual(expected);
    expect(JSON.parse(readFileSync(path.join(target, '_SUCCESS'), 'utf8'))).toMatchObject({ format: 'text' });
  });

  it('saveAsObjectFile → objectFile gives back equal structural values', async () => {
    const target = out();
    const data: unknown[] = [
      1,
      -0.5,
      'text\nwith newline',
      null,
      true,
      [1, [2, 'x']],
      { a: 1, nested: { b: [1, 2], c: null } },
      new Map<unknown, unknown>([['k', 1], [2, [3]]]),
      new Uint8Array([1, 2, 3]),
      ...Array.from({ length: 10_000 }, (_, i) => [i, `v${i}`]),
    ];
    await sc.parallelize(data, 4).saveAsObjectFile(target);
    expect(readdirSync(target).sort()).toEqual(['_SUCCESS', 'part-00000', 'part-00001', 'part-00002', 'part-00003']);
    const back = await sc.objectFile(target).collect();
    expect(back).toEqual(data);
    expect(await sc.objectFile(target, 1).getNumPartitions()).toBe(1);
    expect(await sc.objectFile<[number, string]>(path.join(target, 'part-0000[23]')).count()).toBeGreaterThan(0);
    // Pair functions work on what comes back.
    const sums = await sc
      .objectFile<unknown>(target, 4)
      .filter((x) => Array.isArray(x) && x.length === 2 && typeof x[0] === 'number')
      .map((kv) => [(kv as [number, string])[0] % 2, 1] as [number, number])
      .reduceByKey((a, b) => a + b)
      .collectAsMap();
    expect(sums.get(0)).toBe(5000);
  });

  it('writing into an existing directory is an error naming the path and { overwrite: true }; overwrite replaces it', async () => {
    const target = out();
    mkdirSync(target);
    writeFileSync(path.join(target, 'old.txt'), 'old');
    const e = await rejection(sc.parallelize([1, 2], 2).saveAsTextFile(target));
    expect(e).toBeInstanceOf(UserInputError);
    expect(e.message).toContain(target);
    expect(e.message).toContain('{ overwrite: true }');
    expect(readdirSync(target)).toEqual(['old.txt']); // untouched

    await sc.parallelize([1, 2], 2).saveAsTextFile(target, { overwrite: true });
    expect(readdirSync(target).sort()).toEqual(['_SUCCESS', 'part-00000', 'part-00001']);
    // A second save over a finished output is refused too.
    expect(await rejection(sc.parallelize([3], 1).saveAsObjectFile(target))).toBeInstanceOf(UserInputError);
    await sc.parallelize([3], 1).saveAsObjectFile(target, { overwrite: true });
    expect(await sc.objectFile(target).collect()).toEqual([3]);
  });

  it('overwrite replaces the old output only when the new job commits: a failed job keeps it, and a job may read what it overwrites', async () => {
    const target = out();
    await sc.parallelize([1, 2, 3], 2).saveAsObjectFile(target);
    const e = await rejection(
      sc
        .parallelize([1, 2, 3], 3)
        .map((x) => {
          if (x === 3) throw new Error('no good');
          return x;
        })
        .saveAsObjectFile(target, { overwrite: true }),
    );
    expect(e).toBeInstanceOf(JobFailedError);
    expect(await sc.objectFile(target).collect()).toEqual([1, 2, 3]);
    // Reads the old output while writing the new one.
    await sc
      .objectFile<number>(target)
      .map((x) => x * 10)
      .saveAsObjectFile(target, { overwrite: true });
    expect(await sc.objectFile(target).collect()).toEqual([10, 20, 30]);
    expect(readdirSync(dir).filter((name) => name.startsWith(`${path.basename(target)}.`))).toEqual([]);
  });

  it('an attempt that fails half-way through writing is retried and every record is committed exactly once', async () => {
    const target = out();
    const side = path.join(dir, `side-${n}`);
    mkdirSync(side);
    const fs = sc.module('node:fs');
    const data = Array.from({ length: 40_000 }, (_, i) => i);
    const events: SparkListenerEvent[] = [];
    const listener = (e: SparkListenerEvent): void => void events.push(e);
    sc.addListener(listener);
    await sc
      .parallelize(data, 4)
      .mapPartitions(
        function* (it: Iterable<number>, ctx: TaskContext) {
          let i = 0;
          for (const x of it) {
            if (ctx.attemptNumber === 0 && ctx.partitionId === 1 && i === 6000) {
              // By now the first batches are in this attempt's file under _temporary: record its size.
              const tmp = `${target}/_temporary`;
              const [job] = fs.readdirSync(tmp) as string[];
              const attempt = (fs.readdirSync(`${tmp}/${job}`) as string[]).find((a) => a.includes(`_1_0_${ctx.taskAttemptId}`))!;
              const size = fs.statSync(`${tmp}/${job}/${attempt}/part-00001`).size as number;
              fs.writeFileSync(`${side}/partial-size`, String(size));
              throw new Error('failing half-way through the partition');
            }
            i++;
            yield x;
          }
        },
        { target, side, fs },
      )
      .saveAsTextFile(target);
    sc.removeListener(listener);
    expect(Number(readFileSync(path.join(side, 'partial-size'), 'utf8'))).toBeGreaterThan(0);
    const failed = events.filter((e) => e.type === 'taskEnd' && !e.successful && e.killed !== true);
    expect(failed.length).toBe(1);
    expect(readdirSync(target).sort()).toEqual(['_SUCCESS', 'part-00000', 'part-00001', 'part-00002', 'part-00003']);
    const lines = (await sc.textFile(target).collect()).map(Number);
    expect(lines).toEqual(data);
  });

  it('a job that fails leaves no part files and no _temporary at the final path', async () => {
    const target = out();
    let succeeded = 0;
    const listener = (e: SparkListenerEvent): void => {
      if (e.type === 'taskEnd' && e.successful) succeeded++;
    };
    sc.addListener(listener);
    const e = await rejection(
      sc
        .parallelize(Array.from({ length: 40 }, (_, i) => i), 4)
        .map((x) => {
          if (x === 39) throw new Error('bad record');
          return x;
        })
        .saveAsTextFile(target),
    );
    sc.removeListener(listener);
    expect(e).toBeInstanceOf(JobFailedError);
    expect(e.message).toContain('bad record');
    expect(succeeded).toBeGreaterThan(0); // other partitions had committed
    // Let killed or late attempts finish: nothing may reappear.
    await new Promise((r) => setTimeout(r, 200));
    expect(existsSync(target)).toBe(false);
    expect(readdirSync(dir).filter((name) => name.startsWith(path.basename(target)))).toEqual([]);
    // The same path can be written once the cause is fixed.
    await sc.parallelize([1, 2], 2).saveAsTextFile(target);
    expect(parts(target)).toHaveLength(2);
  });

  it('a corrupt or truncated object file fails with an error naming the file and the offset', async () => {
    const target = out();
    await sc.parallelize(Array.from({ length: 10_000 }, (_, i) => ({ i })), 2).saveAsObjectFile(target);
    const file = path.join(target, 'part-00001');
    const bytes = readFileSync(file);
    bytes[bytes.length - 5] ^= 0xff;
    writeFileSync(file, bytes);
    const e = await rejection(sc.objectFile(target).collect());
    expect(e.message).toContain(file);
    expect(e.message).toMatch(/Corrupt block .* at byte offset \d+: checksum mismatch/);

    truncateSync(file, bytes.length - 100);
    const t = await rejection(sc.objectFile(target).count());
    expect(t.message).toContain(file);
    expect(t.message).toMatch(/at byte offset \d+: truncated payload/);

    const text = out();
    await sc.parallelize(['not', 'objects'], 1).saveAsTextFile(text);
    const m = await rejection(sc.objectFile(text).collect());
    expect(m.message).toContain(path.join(text, 'part-00000'));
    expect(m.message).toMatch(/at byte offset 0: bad magic/);
  });
});
