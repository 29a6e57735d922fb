import { describe, expect, it } from 'vitest';
import type { Pod } from '../k8s/Pod.js';
import { inspectDriverPod } from './inspectDriverPod.js';

const created = '2024-05-01T10:00:00.000Z';
const t0 = Date.parse(created);
const pod = (status: NonNullable<Pod['status']>): Pod => ({ metadata: { name: 'j-driver-1', creationTimestamp: created }, status });

describe('inspectDriverPod', () => {
  it('reports a missing pod', () => {
    expect(inspectDriverPod(undefined, t0, 60)).toEqual({ kind: 'missing' });
  });

  it('reports a pull error with the time left before the startup deadline', () => {
    const state = inspectDriverPod(pod({ phase: 'Pending', containerStatuses: [{ name: 'driver', state: { waiting: { reason: 'ImagePullBackOff', message: 'Back-off pulling image "x"' } } }] }), t0 + 20_000, 60);
    expect(state).toEqual({ kind: 'pending', reason: 'ImagePullBackOff', message: 'Back-off pulling image "x"', startupLeftMs: 40_000 });
  });

  it('reports an unschedulable pod from its PodScheduled condition', () => {
    const state = inspectDriverPod(pod({ phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: '0/3 nodes are available' }] }), t0 + 61_000, 60);
    expect(state).toMatchObject({ kind: 'pending', reason: 'Unschedulable', startupLeftMs: -1000 });
  });

  it('reads running, succeeded and failed pods with the exit code and reason', () => {
    expect(inspectDriverPod(pod({ phase: 'Running' }), t0, 60)).toEqual({ kind: 'running' });
    expect(inspectDriverPod(pod({ phase: 'Succeeded' }), t0, 60)).toEqual({ kind: 'succeeded' });
    const failed = inspectDriverPod(pod({ phase: 'Failed', containerStatuses: [{ name: 'driver', state: { terminated: { exitCode: 3, reason: 'Error', message: 'boom' } } }] }), t0, 60);
    expect(failed).toMatchObject({ kind: 'failed', exitCode: 3, reason: 'Error', message: 'boom' });
  });

  it('prefers the pod-level reason of an eviction', () => {
    const failed = inspectDriverPod(pod({ phase: 'Failed', reason: 'Evicted', message: 'The node was low on memory.' }), t0, 60);
    expect(failed).toMatchObject({ kind: 'failed', exitCode: undefined, reason: 'Evicted' });
  });
});
