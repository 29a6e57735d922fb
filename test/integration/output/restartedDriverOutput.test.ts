// What a driver restarted after a crash (supervise: `kuberdd driver` attempt 2 or later sets
// kuberdd.output.recoverUnfinished) finds at its output paths: an output its earlier attempt
// committed is kept as it is, one it left unfinished is written again. Other drivers get
// OUTPUT_EXISTS, as always.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SparkContext, UserInputError } from '../../../src/index.js';

// A first attempt's driver, and a restarted one (only the setting differs).
let first: SparkContext;
let restarted: SparkContext;
beforeAll(() => {
  first = new SparkContext({ master: 'local[2]' });
  restarted = new SparkContext({ master: 'local[2]', conf: { 'kuberdd.output.recoverUnfinished': 'true' } });
});
afterAll(async () => {
  await first?.stop();
  await restarted?.stop();
});
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const context = (isRestarted: boolean): SparkContext => (isRestarted ? restarted : first);

function tempDir(): string {
  const d = mkdtempSync(path.join(tmpdir(), 'kuberdd-restarted-output-'));
  dirs.push(d);
  return d;
}

const squares = (sc: SparkContext, factor: number) => sc.parallelize([1, 2, 3, 4, 5, 6], 3).map((x) => x * x * factor, { factor });

describe('saveAsTextFile in a restarted driver', () => {
  it('keeps an output the earlier attempt committed from the same lineage, untouched', async () => {
    const target = path.join(tempDir(), 'out');
    await squares(context(false), 1).saveAsTextFile(target);
    const before = Object.fromEntries(readdirSync(target).map((f) => [f, statSync(path.join(target, f)).mtimeMs]));
    expect(JSON.parse(readFileSync(path.join(target, '_SUCCESS'), 'utf8'))).toMatchObject({ lineage: expect.stringMatching(/^[0-9a-f]{40}$/), format: 'text' });

    await squares(context(true), 1).saveAsTextFile(target);
    expect(Object.fromEntries(readdirSync(target).map((f) => [f, statSync(path.join(target, f)).mtimeMs]))).toEqual(before);
    expect((await context(false).textFile(target).collect()).map(Number)).toEqual([1, 4, 9, 16, 25, 36]);
  });

  it('keeps a committed sortByKey output too (its lineage includes range bounds that only a sampling job computes)', async () => {
    const target = path.join(tempDir(), 'out');
    const sorted = (sc: SparkContext) =>
      sc
        .parallelize(['d', 'b', 'a', 'c', 'e', 'f'], 3)
        .map((w) => [w, w.toUpperCase()] as [string, string])
        .sortByKey(true, 2)
        .values();
    await sorted(context(false)).saveAsTextFile(target);
    const before = Object.fromEntries(readdirSync(target).map((f) => [f, statSync(path.join(target, f)).mtimeMs]));
    await sorted(context(true)).saveAsTextFile(target);
    expect(Object.fromEntries(readdirSync(target).map((f) => [f, statSync(path.join(target, f)).mtimeMs]))).toEqual(before);
    expect(await context(false).textFile(target).collect()).toEqual(['A', 'B', 'C', 'D', 'E', 'F']);
  });

  it('refuses an existing output of another lineage or format, and any existing output in a first attempt', async () => {
    const target = path.join(tempDir(), 'out');
    await squares(context(false), 1).saveAsTextFile(target);
    const other = await squares(context(true), 2).saveAsTextFile(target).catch((e: unknown) => e);
    expect(other).toBeInstanceOf(UserInputError);
    expect(other).toMatchObject({ code: 'OUTPUT_EXISTS' });
    await expect(squares(context(true), 1).saveAsObjectFile(target)).rejects.toMatchObject({ code: 'OUTPUT_EXISTS' });
    await expect(squares(context(false), 1).saveAsTextFile(target)).rejects.toMatchObject({ code: 'OUTPUT_EXISTS' });
  });

  it('writes again an output the earlier attempt left unfinished (_temporary, no _SUCCESS)', async () => {
    const target = path.join(tempDir(), 'out');
    mkdirSync(path.join(target, '_temporary', 'job_1_dead'), { recursive: true });
    writeFileSync(path.join(target, 'part-00001'), '9\n16\n'); // committed by the dead attempt
    writeFileSync(path.join(target, '_temporary', 'job_1_dead', 'part-00002'), '2'); // half written
    await expect(squares(context(false), 1).saveAsTextFile(target)).rejects.toMatchObject({ code: 'OUTPUT_EXISTS' });
    await squares(context(true), 1).saveAsTextFile(target);
    expect(readdirSync(target).sort()).toEqual(['_SUCCESS', 'part-00000', 'part-00001', 'part-00002']);
    expect((await context(false).textFile(target).collect()).map(Number)).toEqual([1, 4, 9, 16, 25, 36]);
  });
});
