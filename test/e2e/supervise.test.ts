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

  it('reuses the cached partitions the live executors kept (computing none of them again) and keeps the output attempt 1 committed', async () => {
    const input = h.writeInput('cached-words.txt', 30);
    const out = path.join(h.dir, 'cached-out');
    const reports = path.join(h.dir, 'cached-reports');
    // Job 1 saves and caches 4 partitions (1 s each to compute), job 2 counts them; job 3 counts the words from the cache, 4 reduce tasks of 2.5 s.
    await h.createJob('cached', {
      main: { path: fixture('cachedWordcount.ts') },
      args: [input.path, out, reports, '1000', '4', '2500'],
      executor: { instances: 2, cores: 1 },
      restartPolicy: { type: 'OnFailure', maxAttempts: 3, backoff: { initialSeconds: 1, maxSeconds: 2 } },
    });
    const report = (attempt: number): { computed: number; words: number } | undefined => {
      const file = path.join(reports, `attempt-${attempt}.json`);
      return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { computed: number; words: number }) : undefined;
    };
    // Kill the driver in job 3, once a reduce task has finished (jobs 1 and 2: 4 tasks each, job 3: 4 map + 4 reduce).
    const progress = await h.waitFor('job 3 to finish a reduce task', async () => {
      const p = (await h.job('cached'))?.status?.progress;
      return report(1) !== undefined && Number(p?.split('/')[0] ?? '0') >= 13 ? p : undefined;
    }, 60_000);
    expect(h.runner.kill('default', 'cached-driver-1')).toBe(true);

    const job = await h.waitForFinal('cached', 75_000);
    expect(job.status?.phase, await h.driverLogs('cached')).toBe('Succeeded');
    expect(job.status).toMatchObject({ attempts: 2, lastFailure: { attempt: 1, exitCode: 137 } });
    const [first, second] = [report(1), report(2)];
    console.log(`supervise with cache: attempt 1 killed at ${progress}; cached partitions computed: attempt 1 ${first?.computed}, attempt 2 ${second?.computed}`);
    // Attempt 1 computed every cached partition; attempt 2 took all of them over from the executors,
    // and kept the words output attempt 1 had committed instead of failing on it.
    expect(first).toEqual({ computed: 4, words: second?.words });
    expect(second?.computed).toBe(0);
    const words = readdirSync(`${out}-words`).sort();
    expect(words).toEqual(['_SUCCESS', 'part-00000', 'part-00001', 'part-00002', 'part-00003']);
    const savedWords = words.filter((f) => f.startsWith('part-')).flatMap((f) => readFileSync(path.join(`${out}-words`, f), 'utf8').split('\n').filter((l) => l !== ''));
    expect(savedWords).toHaveLength(first!.words);
    const { counts, parts, files } = h.readOutput(out);
    expect(counts).toEqual(input.expected);
    expect(files).toEqual([...parts, '_SUCCESS'].sort());
    expect(parts).toHaveLength(4);
  });
});
