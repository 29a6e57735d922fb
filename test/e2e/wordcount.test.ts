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

describe('SparkJobs on the Kubernetes stand-in', () => {
  it('runs a word count: driver and executor pods, Succeeded with the summary in status, correct output, executor pods deleted', async () => {
    const input = h.writeInput('words.txt', 20);
    const out = path.join(h.dir, 'wordcount-out');
    await h.createJob('wordcount', { args: [input.path, out], executor: { instances: 2, cores: 1, memory: '512Mi' } });
    const job = await h.waitForFinal('wordcount');
    expect(job.status?.phase, await h.driverLogs('wordcount')).toBe('Succeeded');
    expect(job.status).toMatchObject({ reason: 'JobSucceeded', finishedBy: 'driver', summary: { attempt: 1, exitCode: 0, stages: { run: 2 }, tasks: { succeeded: 8, failed: 0 } } });
    expect(job.status?.progress).toBe('8/8 tasks');
    const { counts, parts, files } = h.readOutput(out);
    expect(counts).toEqual(input.expected);
    expect(parts).toHaveLength(4);
    expect(files).toContain('_SUCCESS');
    expect(files).not.toContain('_temporary');
    // The driver deleted its executors when the job ended.
    await h.waitFor('executor pods to be deleted', async () => (await h.pods('wordcount', 'executor')).length === 0, 20_000);
  });

  it('makes executor pods owned by the SparkJob, labelled, with the spec\'s resources and the secret by reference', async () => {
    const input = h.writeInput('words-slow.txt', 5);
    await h.createJob('shape', { args: [input.path, path.join(h.dir, 'shape-out'), '3000'], executor: { instances: 2, cores: 2, memory: '256Mi' } });
    const pods = await h.waitFor('two executor pods', async () => {
      const found = await h.pods('shape', 'executor');
      return found.length === 2 ? found : undefined;
    });
    const job = (await h.job('shape'))!;
    expect(pods.map((p) => p.metadata.name).sort()).toEqual(['shape-exec-0', 'shape-exec-1']);
    for (const pod of pods) {
      expect(pod.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: 'SparkJob', name: 'shape', uid: job.metadata.uid, controller: true })]);
      expect(pod.metadata.labels).toMatchObject({ 'kuberdd.io/job': 'shape', 'kuberdd.io/role': 'executor', 'kuberdd.io/attempt': '1' });
      const container = (pod.spec?.['containers'] as { args: string[]; env: { name: string; value?: string; valueFrom?: unknown }[]; resources: unknown }[])[0]!;
      expect(container.resources).toEqual({ requests: { cpu: '2', memory: '256Mi' }, limits: { memory: '256Mi' } });
      expect(container.args).toEqual(expect.arrayContaining(['--executor-id', pod.metadata.name, '--cores', '2', '--app', job.metadata.uid]));
      const secret = container.env.find((e) => e.name === 'KUBERDD_SECRET');
      expect(secret).toEqual({ name: 'KUBERDD_SECRET', valueFrom: { secretKeyRef: { name: 'shape-kuberdd', key: 'signing-key' } } });
    }
    const done = await h.waitForFinal('shape');
    expect(done.status?.phase, await h.driverLogs('shape')).toBe('Succeeded');
  });

  it('fails a job whose driver exits non-zero under restartPolicy Never, with the error in status', async () => {
    await h.createJob('failing', { main: { path: fixture('failingJob.ts') }, restartPolicy: { type: 'Never' } });
    const job = await h.waitForFinal('failing');
    expect(job.status?.phase, await h.driverLogs('failing')).toBe('Failed');
    expect(job.status).toMatchObject({ reason: 'JobFailed', finishedBy: 'driver', summary: { exitCode: 1 } });
    expect(job.status?.message).toMatch(/fails on purpose at record 3/);
    expect(String(job.status?.summary?.['error'])).toMatch(/fails on purpose/);
    // Not restarted: one attempt.
    expect(job.status?.attempts).toBe(1);
  });
});
