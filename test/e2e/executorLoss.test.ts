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

describe('an executor pod killed mid-job', () => {
  it('is replaced by a new pod, and the job still succeeds with correct output', async () => {
    const input = h.writeInput('words.txt', 30);
    const out = path.join(h.dir, 'out');
    await h.createJob('lossy', { args: [input.path, out, '1500', '6'], executor: { instances: 2, cores: 1 } });
    // Both executors are running tasks once the driver has run for a while.
    await h.waitFor('the executor pods to run', async () => (await h.pods('lossy', 'executor')).filter((p) => p.status?.phase === 'Running').length === 2);
    await new Promise((r) => setTimeout(r, 2_500));
    expect(h.runner.kill('default', 'lossy-exec-0')).toBe(true);
    const replacement = await h.waitFor('a replacement executor pod', async () => (await h.pods('lossy', 'executor')).find((p) => p.metadata.name === 'lossy-exec-2'));
    expect(replacement.metadata.labels?.['kuberdd.io/role']).toBe('executor');
    const job = await h.waitForFinal('lossy', 75_000);
    expect(job.status?.phase, await h.driverLogs('lossy')).toBe('Succeeded');
    const { counts, parts } = h.readOutput(out);
    expect(counts).toEqual(input.expected);
    expect(parts).toHaveLength(6);
    // The killed executor's tasks ran again elsewhere.
    const tasks = job.status?.summary?.['tasks'] as { succeeded: number; failed: number; killed: number };
    expect(tasks.succeeded).toBeGreaterThanOrEqual(12);
  });
});
