// Modules in shipped functions: an npm package (js-yaml) and the job's own TypeScript helpers,
// imported on every executor and resolved from the job file's directory.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobFailedError, ModuleRef, SparkContext } from '../../../src/index.js';
import type * as TextHelpers from '../../fixtures/jobs/helpers/textHelpers.js';

const JOB_FILE = path.resolve('test/fixtures/jobs/count.ts');

describe('runtime: modules', () => {
  let sc: SparkContext;
  beforeAll(() => {
    sc = new SparkContext({ master: 'local[2]', appName: 'runtime-modules', jobFile: JOB_FILE });
  });
  afterAll(async () => {
    await sc.stop();
  });

  it('uses an npm package inside map: sc.module("js-yaml")', async () => {
    const yaml = sc.module('js-yaml') as unknown as typeof import('js-yaml');
    const docs = ['name: a\nsize: 1', 'name: b\nsize: 22', 'name: c\ntags: [x, y]'];
    const parsed = await sc.parallelize(docs, 3).map((d) => yaml.load(d) as Record<string, unknown>, { yaml }).collect();
    expect(parsed).toEqual([{ name: 'a', size: 1 }, { name: 'b', size: 22 }, { name: 'c', tags: ['x', 'y'] }]);

    // One export, bound directly.
    const dump = sc.module('js-yaml', 'dump') as unknown as (typeof import('js-yaml'))['dump'];
    expect(await sc.parallelize([{ k: 1 }], 1).map((o) => dump(o).trim(), { dump }).collect()).toEqual(['k: 1']);
  });

  it("uses the job's own TypeScript helper module (which imports another helper)", async () => {
    const text = sc.module('./helpers/textHelpers.ts') as unknown as typeof TextHelpers;
    expect(text).toBeInstanceOf(ModuleRef);
    const lines = ['The cat and the hat', 'A tale of two cities', "Don't panic"];
    const counts = await sc
      .parallelize(lines, 3)
      .flatMap((line) => text.tokenize(line), { text })
      .filter((w) => !text.stopWords.has(w), { text })
      .map((w) => [text.stat(w).length, 1] as [number, number], { text })
      .reduceByKey((a, b) => a + b, 2)
      .collectAsMap();
    expect([...counts.entries()].sort((a, b) => a[0] - b[0])).toEqual([[3, 3], [4, 1], [5, 2], [6, 1]]);

    const shout = sc.module('./helpers/textHelpers.ts', 'default') as unknown as (s: string) => string;
    expect(await sc.parallelize(['hi', 'yo'], 2).map((s) => shout(s), { shout }).collect()).toEqual(['HI!', 'YO!']);
  });

  it('a module that cannot be loaded fails the job naming it', async () => {
    const missing = sc.module('./helpers/doesNotExist.ts') as unknown as { f(x: number): number };
    const job = sc.parallelize([1], 1).map((x) => missing.f(x), { missing }).collect();
    await expect(job).rejects.toBeInstanceOf(JobFailedError);
    await expect(job).rejects.toThrow(/module `\.\/helpers\/doesNotExist\.ts` \(resolved from .*test\/fixtures\/jobs\/count\.ts\) could not be loaded on executor/);
  });
});
