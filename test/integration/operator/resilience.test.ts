import { afterEach, describe, expect, it } from 'vitest';
import type { ApiRequest } from '../../../src/k8s/ApiRequest.js';
import { builtinResources } from '../../../src/k8s/builtinResources.js';
import { OperatorHarness } from './operatorHarness.js';

let h: OperatorHarness | undefined;
afterEach(async () => {
  await h?.stop();
  h = undefined;
});

const writes = (requests: readonly ApiRequest[]) => requests.filter((r) => r.resource !== 'leases' && !['get', 'list', 'watch'].includes(r.verb));

describe('the operator under restarts, replicas, faults and load', () => {
  it('creates no duplicate pods when restarted in the middle of a job', async () => {
    h = await OperatorHarness.start();
    const first = await h.startOperator();
    await h.createJob('long', { args: ['sleep', '2500', 'exit', '0'] });
    await h.waitForPhase('long', 'Running');
    await first.stop();
    await h.startOperator();
    const job = await h.waitForPhase('long', 'Succeeded');
    expect(job.status?.attempts).toBe(1);
    expect(await h.driverPods('long')).toEqual(['long-driver-1']);
  });

  it('with two replicas and leader election only the leader acts, and the other takes over when it stops', async () => {
    h = await OperatorHarness.start();
    const a: ApiRequest[] = [];
    const b: ApiRequest[] = [];
    const le = { namespace: 'default', leaseDurationMs: 3_000, renewDeadlineMs: 2_000, retryPeriodMs: 300 };
    const opA = await h.startOperator({ leaderElection: { ...le, identity: 'replica-a' } }, a);
    await h.waitFor('replica a to lead', async () => opA.isLeader);
    const opB = await h.startOperator({ leaderElection: { ...le, identity: 'replica-b' } }, b);
    await h.createJob('one', { args: ['exit', '0'] });
    await h.waitForPhase('one', 'Succeeded');
    expect(opB.isLeader).toBe(false);
    expect(writes(a).length).toBeGreaterThan(0);
    expect(writes(b)).toEqual([]);

    // A graceful stop releases the lease: b leads at once rather than after the lease expires.
    const stoppedAt = Date.now();
    await opA.stop();
    await h.waitFor('replica b to lead', async () => opB.isLeader, 5_000);
    console.log(`leader election: replica b took over ${Date.now() - stoppedAt} ms after replica a stopped`);
    expect(opA.isLeader).toBe(false);
    await h.createJob('two', { args: ['exit', '0'] });
    await h.waitForPhase('two', 'Succeeded');
    expect(writes(b).length).toBeGreaterThan(0);
    const lease = await h.client.get(builtinResources.leases, 'default', 'kuberdd-operator');
    expect(lease?.spec).toMatchObject({ holderIdentity: 'replica-b', leaseTransitions: 1 });
  });

  it('keeps working through dropped watches, 410 Gone and 409 conflicts', async () => {
    h = await OperatorHarness.start();
    await h.startOperator();
    h.server.faults.apply({ dropWatchesEveryMs: 400, expireNextWatches: 3, conflictNextUpdates: { resource: 'sparkjobs', count: 3 } });
    await h.createJob('weather', { args: ['sleep', '1200', 'exit', '0'] });
    const job = await h.waitForPhase('weather', 'Succeeded', 30_000);
    h.server.faults.reset();
    expect(job.status?.attempts).toBe(1);
    expect(await h.driverPods('weather')).toEqual(['weather-driver-1']);
  });

  it('100 SparkJobs applied at once have their 100 driver pods within 10 s', async () => {
    h = await OperatorHarness.start();
    await h.startOperator({ concurrency: 8 });
    const started = performance.now();
    // An image that never pulls keeps the 100 pods from starting 100 processes on this machine.
    await Promise.all(Array.from({ length: 100 }, (_, i) => h!.createJob(`many-${i}`, { image: 'example.invalid/never-pulls:1', args: ['exit', '0'] })));
    const created = performance.now() - started;
    await h.waitFor('100 driver pods', async () => {
      const pods = await h!.client.list(builtinResources.pods, 'default', { labelSelector: 'kuberdd.io/role=driver' });
      return pods.items.length === 100;
    }, 10_000);
    const elapsed = performance.now() - started;
    console.log(`100 SparkJobs: created in ${created.toFixed(0)} ms, all 100 driver pods existed after ${elapsed.toFixed(0)} ms`);
    expect(elapsed).toBeLessThan(10_000);
  });
});
