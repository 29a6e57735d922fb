import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { E2eHarness, fixture } from './e2eHarness.js';

let h: E2eHarness;
beforeAll(async () => {
  h = await E2eHarness.start();
});
afterAll(async () => {
  await h?.stop();
});

describe('supervise: the driver killed mid-job under restartPolicy OnFailure', () => {
  it('is restarted, reuses the live executors and their map outputs, runs fewer tasks, and commits the output exactly once', async () => {
    const input = h.writeInput('words.txt', 30);
    const out = path.join(h.dir, 'out');
    // 6 map tasks of 1.5 s, then 6 reduce tasks of 2.5 s, on 2 one-core executors.
    await h.createJob('supervised', {
      args: [input.path, out, '1500', '6', '2500'],
      executor: { instances: 2, cores: 1 },
      restartPolicy: { type: 'OnFailure', maxAttempts: 3, backoff: { initialSeconds: 1, maxSeconds: 2 } },
    });
    // Kill the driver once the map stage is done and some reduce tasks have committed their part files.
    const progress = await h.waitFor('the map stage and two reduce tasks to finish', async () => {
      const p = (await h.job('supervised'))?.status?.progress;
      const done = Number(p?.split('/')[0] ?? '0');
      return done >= 8 ? p : undefined;
    }, 60_000);
    const executorsBefore = (await h.pods('supervised', 'executor')).map((p) => p.metadata.name).sort();
    expect(h.runner.kill('default', 'supervised-driver-1')).toBe(true);
    expect(existsSync(path.join(out, '_temporary'))).toBe(true);

    const job = await h.waitForFinal('supervised', 75_000);
    expect(job.status?.phase, await h.driverLogs('supervised')).toBe('Succeeded');
    expect(job.status).toMatchObject({ attempts: 2, finishedBy: 'driver', lastFailure: { attempt: 1, exitCode: 137 } });
    // The first attempt had finished 8 tasks when it died; a full run is 12. The second reused the 6 map outputs.
    const summary = job.status?.summary as { attempt: number; tasks: { succeeded: number }; stages: { skipped: number } };
    console.log(`supervise: attempt 1 killed at ${progress}; attempt 2 ran ${summary.tasks.succeeded} tasks (a full run: 12), skipped ${summary.stages.skipped} stage(s)`);
    expect(summary.attempt).toBe(2);
    expect(summary.tasks.succeeded).toBeLessThan(12);
    expect(summary.stages.skipped).toBe(1);
    // Output exactly once: every word once, one file per partition, committed.
    const { counts, parts, files } = h.readOutput(out);
    expect(counts).toEqual(input.expected);
    expect(parts).toHaveLength(6);
    expect(files).toEqual([...parts, '_SUCCESS'].sort());
    // The second attempt adopted the first attempt's executor pods instead of making new ones.
    expect(executorsBefore).toEqual(['supervised-exec-0', 'supervised-exec-1']);
  });

  /** Runs the cached word count under OnFailure; kills the driver (and `alsoKill`, given attempt 1's report) in its last job. */
  async function killedInLastJob(name: string, alsoKill?: (first: CachedReport) => string | undefined) {
    const input = h.writeInput(`${name}.txt`, 30);
    const out = path.join(h.dir, `${name}-out`);
    const reports = path.join(h.dir, `${name}-reports`);
    // Job 1 saves and caches 4 partitions (1 s each to compute), job 2 counts them; job 3 counts the words from the cache, 4 reduce tasks of 2.5 s.
    await h.createJob(name, {
      main: { path: fixture('cachedWordcount.ts') },
      args: [input.path, out, reports, '1000', '4', '2500'],
      executor: { instances: 2, cores: 1 },
      restartPolicy: { type: 'OnFailure', maxAttempts: 3, backoff: { initialSeconds: 1, maxSeconds: 2 } },
    });
    const report = (attempt: number): CachedReport | undefined => {
      const file = path.join(reports, `attempt-${attempt}.json`);
      return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as CachedReport) : undefined;
    };
    // Kill the driver in job 3, once a reduce task has finished (jobs 1 and 2: 4 tasks each, job 3: 4 map + 4 reduce).
    const progress = await h.waitFor('job 3 to finish a reduce task', async () => {
      const p = (await h.job(name))?.status?.progress;
      return report(1) !== undefined && Number(p?.split('/')[0] ?? '0') >= 13 ? p : undefined;
    }, 60_000);
    expect(h.runner.kill('default', `${name}-driver-1`)).toBe(true);
    const executor = alsoKill?.(report(1)!);
    if (executor !== undefined) expect(h.runner.kill('default', executor)).toBe(true);

    const job = await h.waitForFinal(name, 90_000);
    expect(job.status?.phase, await h.driverLogs(name)).toBe('Succeeded');
    expect(job.status).toMatchObject({ attempts: 2, lastFailure: { attempt: 1, exitCode: 137 } });
    const [first, second] = [report(1)!, report(2)!];
    console.log(`supervise with cache (${name}): attempt 1 killed at ${progress}${executor === undefined ? '' : ` with ${executor}`}; cached partitions computed: attempt 1 ${first.computed.join(' ')}; attempt 2 ${second.computed.join(' ') || 'none'}`);
    expect(first.computed).toHaveLength(4);
    expect(second.words).toBe(first.words);
    // Attempt 2 kept the words output attempt 1 had committed instead of failing on it, and wrote the counts once.
    const words = readdirSync(`${out}-words`).sort();
    expect(words).toEqual(['_SUCCESS', 'part-00000', 'part-00001', 'part-00002', 'part-00003']);
    const savedWords = words.filter((f) => f.startsWith('part-')).flatMap((f) => readFileSync(path.join(`${out}-words`, f), 'utf8').split('\n').filter((l) => l !== ''));
    expect(savedWords).toHaveLength(first.words);
    const { counts, parts, files } = h.readOutput(out);
    expect(counts).toEqual(input.expected);
    expect(files).toEqual([...parts, '_SUCCESS'].sort());
    expect(parts).toHaveLength(4);
    return { first, second };
  }

  it('reuses the cached partitions the live executors kept (computing none of them again) and keeps the output attempt 1 committed', async () => {
    const { second } = await killedInLastJob('cached');
    expect(second.computed).toEqual([]);
  });

  it('with an executor lost too, computes again only the cached partitions that executor held', async () => {
    let lost: string[] = [];
    const { second } = await killedInLastJob('cachedloss', (first) => {
      // The executor that computed (and so caches) partition 0.
      const holder = first.computed.find((c) => c.startsWith('0@'))!.split('@')[1]!;
      lost = first.computed.filter((c) => c.endsWith(`@${holder}`)).map((c) => c.split('@')[0]!);
      return holder;
    });
    expect(lost.length).toBeGreaterThan(0);
    expect(second.computed.map((c) => c.split('@')[0])).toEqual(lost);
  });
});

interface CachedReport {
  readonly computed: string[];
  readonly words: number;
}
