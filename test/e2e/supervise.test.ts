import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { E2eHarness } from './e2eHarness.js';

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
});
