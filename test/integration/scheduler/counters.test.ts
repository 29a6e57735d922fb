// Per-stage counters: records in and out, shuffle and spill bytes, task time and task counts,
// aggregated on the driver (sc.statusTracker()) and printed by `kuberdd run` as a table.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCommand } from '../../../src/cli/runCommand.js';
import { SparkContext } from '../../../src/index.js';
import { recorded } from '../runtime/events.js';

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

describe('per-stage counters (sc.statusTracker())', () => {
  let sc: SparkContext;
  let dir: string;
  beforeAll(() => {
    sc = new SparkContext({ master: 'local[2]', appName: 'counters' });
    dir = mkdtempSync(path.join(tmpdir(), 'kuberdd-test-counters-'));
  });
  afterAll(async () => {
    await sc.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('records in and out of a shuffle map stage and the result stage reading it', async () => {
    const { result, rec } = await recorded(sc, () =>
      sc
        .parallelize(range(100), 4)
        .map((x) => [x % 5, x] as [number, number])
        .reduceByKey((a, b) => a + b, 3)
        .collect(),
    );
    expect(result).toHaveLength(5);
    const [map, reduce] = rec.of('stageSubmitted').map((s) => sc.statusTracker().stageCounters(s.stageId)!);
    // Map side: 100 records read, combined to 5 keys in each of 4 partitions before the shuffle.
    expect(map).toMatchObject({ name: expect.stringMatching(/^map at /), attempts: 1, recordsIn: 100, recordsOut: 20, shuffleBytesRead: 0 });
    expect(map!.tasks).toMatchObject({ succeeded: 4, failed: 0 });
    expect(map!.shuffleBytesWritten).toBeGreaterThan(0);
    // Reduce side: the 20 shuffle records fetched, 5 results.
    expect(reduce).toMatchObject({ name: expect.stringMatching(/^collect at /), recordsIn: 20, recordsOut: 5, shuffleBytesWritten: 0 });
    expect(reduce!.shuffleBytesRead).toBe(map!.shuffleBytesWritten);
    expect(reduce!.tasks.succeeded).toBe(3);
    // Task time is the executors' run time of the stage's attempts.
    const runTime = (stageId: number): number =>
      rec.of('taskEnd').filter((t) => t.stageId === stageId).reduce((n, t) => n + t.metrics.executorRunTimeMs, 0);
    expect(map!.taskTimeMs).toBe(runTime(map!.stageId));
    expect(sc.statusTracker().allStageCounters().map((c) => c.stageId)).toEqual(expect.arrayContaining([map!.stageId, reduce!.stageId]));
  });

  it('counts text lines and cached partitions as records in, and results as records out', async () => {
    const file = path.join(dir, 'lines.txt');
    writeFileSync(file, `${range(50).map((i) => `line ${i}`).join('\n')}\n`);
    const words = sc.textFile(file, 2).flatMap((l) => l.split(' ')).cache();
    const first = await recorded(sc, () => words.count());
    const second = await recorded(sc, () => words.filter((w) => w !== 'line').count());
    const counters = (r: typeof first.rec) => sc.statusTracker().stageCounters(r.of('stageSubmitted')[0]!.stageId)!;
    expect(counters(first.rec)).toMatchObject({ recordsIn: 50, recordsOut: 100 });
    // The second job reads the cached words, not the file.
    expect(counters(second.rec)).toMatchObject({ recordsIn: 100, recordsOut: 50 });
  });

  it('reports spill bytes when shuffle buffers overflow', async () => {
    const tight = new SparkContext({ master: 'local[1]', appName: 'counters-spill', conf: { 'kuberdd.shuffle.spillBytes': '4096' } });
    try {
      const { rec } = await recorded(tight, () =>
        tight
          .parallelize(range(5_000), 2)
          .map((x) => [x, `value-${x}`] as [number, string])
          .groupByKey(2)
          .count(),
      );
      const spilled = rec.of('stageSubmitted').map((s) => tight.statusTracker().stageCounters(s.stageId)!.spillBytes);
      expect(spilled.some((b) => b > 0)).toBe(true);
    } finally {
      await tight.stop();
    }
  });
});

describe('kuberdd run prints the per-stage table', () => {
  it('one row per stage that ran, named after its call site', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'kuberdd-test-run-counters-'));
    try {
      writeFileSync(path.join(dir, 'package.json'), '{"type":"module"}');
      writeFileSync(
        path.join(dir, 'job.mjs'),
        [
          'export default async function main(sc) {',
          '  const pairs = sc.parallelize([1, 2, 3, 4, 5, 6], 3).map((x) => [x % 2, x]);',
          '  const sums = await pairs.reduceByKey((a, b) => a + b, 2).collect();',
          '  if (sums.length !== 2) throw new Error(`expected 2 sums, got ${JSON.stringify(sums)}`);',
          '}',
        ].join('\n'),
      );
      const stdout = new PassThrough();
      const stderr = new PassThrough();
      let err = '';
      stderr.on('data', (c: Buffer) => (err += c.toString()));
      const code = await runCommand(['--master', 'local[2]', 'job.mjs'], { stdout, stderr, env: {}, cwd: dir });
      expect(code).toBe(0);
      const lines = err.trimEnd().split('\n');
      // (A task queued behind a slow one on a busy thread may get a copy: counts vary, records do not.)
      expect(lines[0]).toMatch(/^Summary: 1 job, 2 stages, \d+ tasks/);
      const header = lines.findIndex((l) => l.startsWith('  stage  tasks  '));
      expect(header).toBeGreaterThan(0);
      const columns = lines[header]!.trim().split(/\s{2,}/);
      expect(columns).toEqual(expect.arrayContaining(['records in', 'records out', 'shuffle write', 'shuffle read', 'task time']));
      expect(columns.at(-1)).toBe('name');
      const rows = lines.slice(header + 1).map((l) => Object.fromEntries(l.trim().split(/\s{2,}/).map((v, i) => [columns[i]!, v])));
      expect(rows).toHaveLength(2);
      expect(rows[0]).toMatchObject({ 'records in': '6', 'records out': '6', 'shuffle read': '-' }); // each slice of 2 has 2 keys
      expect(rows[0]!['name']).toMatch(/^map at .*job\.mjs\S*:2:\d+$/);
      expect(rows[0]!['shuffle write']).toMatch(/^\d+ B$/);
      expect(rows[1]).toMatchObject({ 'records in': '6', 'records out': '2', 'shuffle write': '-', 'shuffle read': rows[0]!['shuffle write'] });
      expect(rows[1]!['name']).toMatch(/^collect at .*job\.mjs\S*:3:\d+$/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
