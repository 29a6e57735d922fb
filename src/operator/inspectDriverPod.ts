import type { Pod } from '../k8s/Pod.js';
import type { DriverPodState } from './DriverPodState.js';

/** Reads a driver pod's state; `startupDeadlineSeconds` counts from the pod's creation. */
export function inspectDriverPod(pod: Pod | undefined, nowMs: number, startupDeadlineSeconds: number): DriverPodState {
  if (pod === undefined) return { kind: 'missing' };
  const status = pod.status ?? {};
  const container = status.containerStatuses?.find((c) => c.name === 'driver') ?? status.containerStatuses?.[0];
  const terminated = container?.state?.terminated;
  if (status.phase === 'Succeeded') return { kind: 'succeeded' };
  if (status.phase === 'Failed') {
    return {
      kind: 'failed',
      exitCode: terminated?.exitCode,
      reason: status.reason ?? terminated?.reason ?? 'Error',
      message: status.message ?? terminated?.message,
      conditions: status.conditions ?? [],
    };
  }
  const started = container?.state?.running !== undefined || terminated !== undefined;
  if (status.phase === 'Running' || status.phase === 'Unknown' || started) return { kind: 'running' };

  const created = Date.parse(pod.metadata.creationTimestamp ?? '');
  const startupLeftMs = (Number.isNaN(created) ? nowMs : created) + startupDeadlineSeconds * 1000 - nowMs;
  const waiting = container?.state?.waiting;
  const unschedulable = status.conditions?.find((c) => c.type === 'PodScheduled' && c.status === 'False');
  const reason = waiting?.reason ?? unschedulable?.reason;
  const message = waiting?.message ?? unschedulable?.message;
  return { kind: 'pending', reason, message, startupLeftMs };
}
