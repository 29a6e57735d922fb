import { describe, expect, it } from 'vitest';
import { createLogger } from '../common/logging/createLogger.js';
import type { SparkJob } from '../api/SparkJob.js';
import type { SparkJobSpec } from '../api/SparkJobSpec.js';
import { builtinResources } from '../k8s/builtinResources.js';
import { EventRecorder } from '../k8s/EventRecorder.js';
import { InMemoryKubeClient } from '../k8s/InMemoryKubeClient.testing.js';
import type { Pod } from '../k8s/Pod.js';
import { SparkJobReconciler } from './SparkJobReconciler.js';
import { sparkJobs } from './sparkJobs.js';

const logger = createLogger({ format: 'json', level: 'error' });

async function setup(spec: Partial<SparkJobSpec> = {}) {
  const client = new InMemoryKubeClient();
  let now = Date.parse('2024-05-01T10:00:00.000Z');
  const clock = { advance: (ms: number) => (now += ms), setTo: (ms: number) => (now = ms), now: () => now };
  let restarts = 0;
  const reconciler = new SparkJobReconciler({
    client,
    events: new EventRecorder(client, 'test', 'test-1', logger),
    logger,
    driverCommand: ['kuberdd', 'driver'],
    defaultNatsUrl: 'nats://nats:4222',
    onDriverRestart: () => restarts++,
    now: clock.now,
  });
  await client.create(sparkJobs, 'ns', {
    apiVersion: 'kuberdd.io/v1alpha1',
    kind: 'SparkJob',
    metadata: { name: 'wc', namespace: 'ns' } as SparkJob['metadata'],
    spec: { image: 'kuberdd:dev', main: { path: '/app/examples/wordcount.js' }, startupDeadlineSeconds: 60, ...spec },
  });
  const job = async () => (await client.get(sparkJobs, 'ns', 'wc'))!;
  const pod = async (name: string) => client.get(builtinResources.pods, 'ns', name);
  const setPod = async (name: string, status: Pod['status']) => {
    await client.mergePatch(builtinResources.pods, 'ns', name, { status }, 'status');
  };
  const events = () => client.all(builtinResources.events, 'ns').map((e) => e.reason);
  return { client, reconciler, clock, job, pod, setPod, events, restarts: () => restarts, reconcile: () => reconciler.reconcile('ns/wc') };
}

const exited = (exitCode: number): Pod['status'] => ({
  phase: exitCode === 0 ? 'Succeeded' : 'Failed',
  containerStatuses: [{ name: 'driver', state: { terminated: { exitCode, reason: exitCode === 0 ? 'Completed' : 'Error' } } }],
});

describe('SparkJobReconciler', () => {
  it('creates the Secret and the driver pod of attempt 1, then follows it to Running and Succeeded', async () => {
    const t = await setup({ args: ['in.txt'], conf: { 'kuberdd.shuffle.spillBytes': '1000000' } });
    await t.reconcile();
    const job = await t.job();
    expect(job.status).toMatchObject({ phase: 'Submitted', attempts: 1, driverPod: 'wc-driver-1', appId: job.metadata.uid, observedGeneration: 1 });
    const secret = await t.client.get(builtinResources.secrets, 'ns', 'wc-kuberdd');
    expect(Buffer.from(secret!.data!['signing-key']!, 'base64').toString()).toMatch(/^[0-9a-f]{64}$/);
    const pod = (await t.pod('wc-driver-1'))!;
    expect(pod.metadata.labels).toMatchObject({ 'kuberdd.io/job': 'wc', 'kuberdd.io/role': 'driver', 'kuberdd.io/attempt': '1' });
    expect(pod.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: 'SparkJob', name: 'wc', uid: job.metadata.uid, controller: true })]);
    const container = (pod.spec!['containers'] as { command: string[]; args: string[]; env: { name: string; value?: string; valueFrom?: unknown }[] }[])[0]!;
    expect(container.command).toEqual(['kuberdd', 'driver']);
    expect(container.args).toEqual(['--conf', 'kuberdd.shuffle.spillBytes=1000000', '/app/examples/wordcount.js', 'in.txt']);
    expect(container.env).toEqual(
      expect.arrayContaining([
        { name: 'KUBERDD_NATS_URL', value: 'nats://nats:4222' },
        { name: 'KUBERDD_APP_ID', value: job.metadata.uid },
        { name: 'KUBERDD_SECRET', valueFrom: { secretKeyRef: { name: 'wc-kuberdd', key: 'signing-key' } } },
      ]),
    );

    await t.reconcile(); // pod still pending: nothing changes
    expect((await t.job()).status?.phase).toBe('Submitted');
    await t.setPod('wc-driver-1', { phase: 'Running' });
    await t.reconcile();
    expect((await t.job()).status?.phase).toBe('Running');
    await t.setPod('wc-driver-1', exited(0));
    await t.reconcile();
    const done = (await t.job()).status!;
    expect(done).toMatchObject({ phase: 'Succeeded', reason: 'DriverSucceeded', finishedBy: 'operator' });
    expect(done.conditions?.filter((c) => c.status === 'True').map((c) => c.type)).toEqual(['Complete']);
    expect(t.events()).toEqual(expect.arrayContaining(['Submitted', 'DriverRunning', 'DriverSucceeded']));
  });

  it('is idempotent: reconciling again after a lost status write creates no second pod', async () => {
    const t = await setup();
    t.client.failNext('patch', 'sparkjobs/status', 500, 'InternalError');
    await expect(t.reconcile()).rejects.toThrow(/injected 500/);
    expect(t.client.all(builtinResources.pods)).toHaveLength(1);
    await t.reconcile();
    expect(t.client.all(builtinResources.pods).map((p) => p.metadata.name)).toEqual(['wc-driver-1']);
    expect((await t.job()).status).toMatchObject({ phase: 'Submitted', attempts: 1 });
  });

  it('fails a driver that exits non-zero under Never, with the exit code in status', async () => {
    const t = await setup();
    await t.reconcile();
    await t.setPod('wc-driver-1', exited(3));
    await t.reconcile();
    const status = (await t.job()).status!;
    expect(status).toMatchObject({ phase: 'Failed', reason: 'Error', countedFailures: 1, lastFailure: { attempt: 1, exitCode: 3, counted: true } });
    expect(status.message).toContain('exit code 3');
    expect(t.client.all(builtinResources.pods)).toHaveLength(1);
  });

  it('restarts a failed driver under OnFailure after the backoff, and fails after maxAttempts', async () => {
    const t = await setup({ restartPolicy: { type: 'OnFailure', maxAttempts: 3, backoff: { initialSeconds: 10, maxSeconds: 15, factor: 2 } } });
    await t.reconcile();
    await t.setPod('wc-driver-1', exited(1));
    expect(await t.reconcile()).toEqual({ requeueAfterMs: 10_000 });
    expect((await t.job()).status).toMatchObject({ phase: 'Restarting', countedFailures: 1 });
    // Before the backoff is over nothing happens, even when asked.
    t.clock.advance(5_000);
    expect(await t.reconcile()).toEqual({ requeueAfterMs: 5_000 });
    expect(await t.pod('wc-driver-2')).toBeUndefined();
    t.clock.advance(5_000);
    await t.reconcile();
    expect((await t.job()).status).toMatchObject({ phase: 'Submitted', attempts: 2 });
    expect((await t.pod('wc-driver-2'))?.metadata.labels?.['kuberdd.io/attempt']).toBe('2');
    expect(t.restarts()).toBe(1);

    await t.setPod('wc-driver-2', exited(1));
    expect(await t.reconcile()).toEqual({ requeueAfterMs: 15_000 }); // 20 s capped at 15 s
    t.clock.advance(15_000);
    await t.reconcile();
    await t.setPod('wc-driver-3', exited(1));
    await t.reconcile();
    expect((await t.job()).status).toMatchObject({ phase: 'Failed', reason: 'MaxAttemptsReached', attempts: 3, countedFailures: 3 });
    expect(t.events()).toEqual(expect.arrayContaining(['DriverFailed', 'Restarted', 'MaxAttemptsReached']));
  });

  it('does not count an evicted driver, even under Never', async () => {
    const t = await setup();
    await t.reconcile();
    await t.setPod('wc-driver-1', { phase: 'Failed', reason: 'Evicted', conditions: [{ type: 'DisruptionTarget', status: 'True' }] });
    await t.reconcile();
    expect((await t.job()).status).toMatchObject({ phase: 'Restarting', lastFailure: { counted: false } });
    expect((await t.job()).status?.countedFailures).toBeUndefined();
    await t.reconcile();
    expect((await t.job()).status).toMatchObject({ phase: 'Submitted', attempts: 2 });
  });

  it('waits for a driver in ImagePullBackOff until startupDeadlineSeconds', async () => {
    const t = await setup({ startupDeadlineSeconds: 30 });
    await t.reconcile();
    await t.setPod('wc-driver-1', { phase: 'Pending', containerStatuses: [{ name: 'driver', state: { waiting: { reason: 'ImagePullBackOff', message: 'pull access denied' } } }] });
    const created = Date.parse((await t.pod('wc-driver-1'))!.metadata.creationTimestamp!);
    t.clock.setTo(created + 10_000);
    expect(await t.reconcile()).toEqual({ requeueAfterMs: 20_100 });
    expect((await t.job()).status?.phase).toBe('Submitted');
  });

  it('fails a driver past startupDeadlineSeconds and deletes it', async () => {
    const t = await setup({ startupDeadlineSeconds: 30 });
    await t.reconcile();
    await t.setPod('wc-driver-1', { phase: 'Pending', containerStatuses: [{ name: 'driver', state: { waiting: { reason: 'ErrImagePull', message: 'image not found' } } }] });
    t.clock.setTo(Date.parse((await t.pod('wc-driver-1'))!.metadata.creationTimestamp!) + 31_000);
    await t.reconcile();
    const status = (await t.job()).status!;
    expect(status).toMatchObject({ phase: 'Failed', reason: 'ErrImagePull', finishedBy: 'operator' });
    expect(status.message).toMatch(/did not start within startupDeadlineSeconds \(30 s\): ErrImagePull: image not found/);
    expect(await t.pod('wc-driver-1')).toBeUndefined();
  });

  it('fails a job past activeDeadlineSeconds and deletes its pods', async () => {
    const t = await setup({ activeDeadlineSeconds: 100 });
    await t.reconcile();
    await t.setPod('wc-driver-1', { phase: 'Running' });
    expect((await t.reconcile()).requeueAfterMs).toBe(100_000);
    t.clock.advance(100_000);
    await t.reconcile();
    expect((await t.job()).status).toMatchObject({ phase: 'Failed', reason: 'DeadlineExceeded' });
    expect(await t.pod('wc-driver-1')).toBeUndefined();
  });

  it('never overwrites a final status the driver wrote, and completes its bookkeeping', async () => {
    const t = await setup();
    await t.reconcile();
    await t.setPod('wc-driver-1', { phase: 'Running' });
    const stale = await t.job();
    // The driver finishes the job between the operator's read and its write.
    await t.client.mergePatch(sparkJobs, 'ns', 'wc', { status: { phase: 'Succeeded', reason: 'JobSucceeded', message: '3 stages, 120 tasks', summary: { tasks: 120 } } }, 'status');
    const staleJobs = new Proxy(t.client, {
      get: (target, property) =>
        property === 'get'
          ? async (resource: { plural: string }, ...rest: unknown[]) => (resource.plural === 'sparkjobs' ? stale : (target.get as (...a: unknown[]) => unknown)(resource, ...rest))
          : (Reflect.get(target, property) as unknown as { bind?: (t: unknown) => unknown }).bind?.(target) ?? Reflect.get(target, property),
    });
    const racing = new SparkJobReconciler({ client: staleJobs, events: { record: async () => {} }, logger, driverCommand: ['x'], defaultNatsUrl: undefined });
    await expect(racing.reconcile('ns/wc')).rejects.toThrow(/modified|Conflict/);
    await t.reconcile();
    const status = (await t.job()).status!;
    expect(status).toMatchObject({ phase: 'Succeeded', reason: 'JobSucceeded', finishedBy: 'driver', summary: { tasks: 120 } });
    expect(status.conditions?.find((c) => c.type === 'Complete')).toMatchObject({ status: 'True', reason: 'JobSucceeded' });
    expect(status.completionTime).toBeDefined();
  });

  it('suspends (deleting the pods) and resumes with a new attempt', async () => {
    const t = await setup();
    await t.reconcile();
    await t.setPod('wc-driver-1', { phase: 'Running' });
    await t.reconcile();
    await t.client.mergePatch(sparkJobs, 'ns', 'wc', { spec: { suspend: true } });
    await t.reconcile();
    expect((await t.job()).status).toMatchObject({ phase: 'Suspended', observedGeneration: 2 });
    expect(await t.pod('wc-driver-1')).toBeUndefined();
    await t.client.mergePatch(sparkJobs, 'ns', 'wc', { spec: { suspend: false } });
    await t.reconcile();
    expect((await t.job()).status).toMatchObject({ phase: 'Submitted', attempts: 2, observedGeneration: 3 });
    expect(await t.pod('wc-driver-2')).toBeDefined();
  });

  it('deletes a finished job after ttlSecondsAfterFinished', async () => {
    const t = await setup({ ttlSecondsAfterFinished: 60 });
    await t.reconcile();
    await t.setPod('wc-driver-1', exited(0));
    expect(await t.reconcile()).toEqual({ requeueAfterMs: 60_000 });
    t.clock.advance(59_000);
    expect(await t.reconcile()).toEqual({ requeueAfterMs: 1_000 });
    t.clock.advance(1_000);
    await t.reconcile();
    expect(await t.client.get(sparkJobs, 'ns', 'wc')).toBeUndefined();
    expect(t.client.all(builtinResources.pods)).toEqual([]); // cascade
  });

  it('restarts after success under Always, without counting', async () => {
    const t = await setup({ restartPolicy: { type: 'Always', backoff: { initialSeconds: 1 } } });
    await t.reconcile();
    await t.setPod('wc-driver-1', exited(0));
    await t.reconcile();
    expect((await t.job()).status).toMatchObject({ phase: 'Restarting', lastFailure: { reason: 'DriverSucceeded', counted: false } });
  });
});
