import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SparkJobPhase } from '../../../src/api/SparkJobPhase.js';
import { builtinResources } from '../../../src/k8s/builtinResources.js';
import { KubeApiError } from '../../../src/k8s/KubeApiError.js';
import { leaderElectionPermissions, operatorPermissions } from '../../../src/operator/operatorPermissions.js';
import { sparkJobs } from '../../../src/operator/sparkJobs.js';
import { OperatorHarness } from './operatorHarness.js';

let h: OperatorHarness;
beforeAll(async () => {
  h = await OperatorHarness.start();
  await h.startOperator();
});
afterAll(async () => {
  await h?.stop();
});

describe('the operator on the stand-in', () => {
  it('takes a SparkJob New → Submitted → Running → Succeeded', async () => {
    const phases: SparkJobPhase[] = [];
    const watching = new AbortController();
    const watch = h.client.watch(sparkJobs, 'default', {}, (_, job) => {
      const phase = job.metadata.name === 'hello' ? job.status?.phase ?? 'New' : undefined;
      if (phase !== undefined && phases.at(-1) !== phase) phases.push(phase);
    }, watching.signal);
    await h.createJob('hello', { args: ['sleep', '1500', 'exit', '0'] });
    const job = await h.waitForPhase('hello', 'Succeeded');
    watching.abort();
    await watch;
    expect(phases).toEqual(['New', 'Submitted', 'Running', 'Succeeded']);
    expect(job.status).toMatchObject({ attempts: 1, reason: 'DriverSucceeded', observedGeneration: 1, appId: job.metadata.uid });
    expect(job.status?.conditions?.find((c) => c.status === 'True')?.type).toBe('Complete');
    expect(await h.driverPods('hello')).toEqual(['hello-driver-1']);
    const events = await h.client.list(builtinResources.events, 'default');
    const reasons = events.items.filter((e) => (e as { involvedObject?: { name?: string } }).involvedObject?.name === 'hello').map((e) => (e as { reason?: string }).reason);
    expect(reasons).toEqual(expect.arrayContaining(['Submitted', 'DriverRunning', 'DriverSucceeded']));
    const secret = await h.client.get(builtinResources.secrets, 'default', 'hello-kuberdd');
    expect(secret?.metadata.ownerReferences?.[0]?.uid).toBe(job.metadata.uid);
  });

  it('fails a driver that exits non-zero under restartPolicy Never, with the reason in status', async () => {
    await h.createJob('broken', { args: ['exit', '3'] });
    const job = await h.waitForPhase('broken', 'Failed');
    expect(job.status).toMatchObject({ reason: 'Error', attempts: 1, finishedBy: 'operator', lastFailure: { exitCode: 3, counted: true } });
    expect(job.status?.message).toMatch(/hello|broken-driver-1 failed with exit code 3/);
    expect(await h.driverPods('broken')).toEqual(['broken-driver-1']);
  });

  it('restarts a failing driver under OnFailure with backoff, up to maxAttempts', async () => {
    const started = Date.now();
    await h.createJob('flaky', { args: ['exit', '1'], restartPolicy: { type: 'OnFailure', maxAttempts: 3, backoff: { initialSeconds: 1, factor: 2, maxSeconds: 10 } } });
    const job = await h.waitForPhase('flaky', 'Failed', 30_000);
    const elapsed = Date.now() - started;
    expect(job.status).toMatchObject({ reason: 'MaxAttemptsReached', attempts: 3, countedFailures: 3 });
    expect(await h.driverPods('flaky')).toEqual(['flaky-driver-1', 'flaky-driver-2', 'flaky-driver-3']);
    // Backoffs of 1 s and 2 s lay between the three attempts.
    expect(elapsed).toBeGreaterThanOrEqual(3_000);
    console.log(`OnFailure: 3 attempts with 1 s + 2 s backoff took ${elapsed} ms`);
  });

  it('supervises: a driver that fails once succeeds on its second attempt', async () => {
    await h.createJob('supervised', { args: ['exit-on-attempt', '1', '1', 'exit', '0'], restartPolicy: { type: 'OnFailure', backoff: { initialSeconds: 1 } } });
    const job = await h.waitForPhase('supervised', 'Succeeded', 20_000);
    expect(job.status).toMatchObject({ attempts: 2, countedFailures: 1, lastFailure: { attempt: 1, exitCode: 1 } });
    const metrics = await (await fetch(`http://127.0.0.1:${h.operators[0]!.metricsPort}/metrics`)).text();
    expect(metrics).toMatch(/^kuberdd_driver_restarts_total [1-9]/m);
    expect(metrics).toMatch(/^kuberdd_sparkjobs\{phase="Succeeded"\} [1-9]/m);
    expect(metrics).toMatch(/^kuberdd_reconcile_duration_seconds_count\{result="success"\} [1-9]/m);
  });

  it('keeps the final status the driver wrote itself', async () => {
    await h.createJob('reporter', { args: ['report', 'Succeeded', 'AllStagesDone', 'sleep', '300', 'exit', '0'] });
    const job = await h.waitForPhase('reporter', 'Succeeded');
    await h.waitFor('the operator to record the completion', async () => (await h.job('reporter'))?.status?.completionTime);
    const final = (await h.job('reporter'))!;
    expect(final.status).toMatchObject({ reason: 'AllStagesDone', finishedBy: 'driver', progress: '4/4 tasks', summary: { tasks: 4 } });
    expect(job.status?.reason).toBe('AllStagesDone');
  });

  it('fails a driver whose image never pulls after startupDeadlineSeconds', async () => {
    const started = Date.now();
    await h.createJob('nopull', { image: 'registry.invalid/never-pulls:1', startupDeadlineSeconds: 2, args: ['exit', '0'] });
    const job = await h.waitForPhase('nopull', 'Failed', 15_000);
    // creationTimestamp has whole seconds (as on a real cluster), so the deadline may end up to 1 s early.
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
    expect(job.status?.reason).toMatch(/ErrImagePull|ImagePullBackOff/);
    expect(job.status?.message).toMatch(/did not start within startupDeadlineSeconds \(2 s\)/);
  });

  it('deletes a finished SparkJob after ttlSecondsAfterFinished, and its pods with it', async () => {
    await h.createJob('shortlived', { args: ['exit', '0'], ttlSecondsAfterFinished: 1 });
    await h.waitForPhase('shortlived', 'Succeeded');
    await h.waitFor('the SparkJob to be deleted', async () => (await h.job('shortlived')) === undefined);
    await h.waitFor('its pods to be garbage-collected', async () => (await h.driverPods('shortlived')).length === 0);
  });

  it('rejects a malformed SparkJob with a message naming the field', async () => {
    const error = await h.createJob('bad', { executor: { instances: 0 } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KubeApiError);
    expect((error as KubeApiError).status).toBe(422);
    expect((error as KubeApiError).message).toMatch(/spec\.executor\.instances/);
    const noMain = await h.createJob('bad2', { main: { path: '/a.js', inline: { source: 'x' } } }).catch((e: unknown) => e);
    expect((noMain as KubeApiError).status).toBe(422);
    expect((noMain as KubeApiError).message).toMatch(/spec\.main needs exactly one of path/);
    const badEnum = await h.createJob('bad3', { restartPolicy: { type: 'Sometimes' as never } }).catch((e: unknown) => e);
    expect((badEnum as KubeApiError).message).toMatch(/spec\.restartPolicy\.type/);
    // Its name becomes a label value on its pods: a longer one would fail every pod creation.
    const longName = await h.createJob('x'.repeat(64), {}).catch((e: unknown) => e);
    expect((longName as KubeApiError).status).toBe(422);
    expect((longName as KubeApiError).message).toMatch(/metadata\.name must be at most 63 characters/);
  });

  it('makes only the API calls that operatorPermissions lists (the Helm chart grants exactly these)', () => {
    const granted = new Set([...operatorPermissions, ...leaderElectionPermissions].flatMap((p) => p.verbs.map((v) => `${p.apiGroup}/${p.resource}:${v}`)));
    const used = new Set(h.requests.map((r) => `${r.apiGroup}/${r.resource}:${r.verb}`));
    expect([...used].filter((u) => !granted.has(u))).toEqual([]);
    // And the list has nothing the operator did not use (leases are the leader-election test's).
    const operatorOnly = new Set(operatorPermissions.flatMap((p) => p.verbs.map((v) => `${p.apiGroup}/${p.resource}:${v}`)));
    expect([...operatorOnly].filter((g) => !used.has(g))).toEqual([]);
  });
});
