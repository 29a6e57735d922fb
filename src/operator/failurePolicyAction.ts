import type { FailurePolicyRule } from '../api/SparkJobSpec.js';
import type { PodCondition } from '../k8s/Pod.js';

/** Pod status reasons of evictions on clusters that predate the DisruptionTarget condition. */
const EVICTION_REASONS = new Set(['Evicted', 'Preempting', 'Preempted', 'Terminated', 'NodeShutdown']);

/**
 * What a driver failure means under the job's failurePolicy: the first matching rule's action;
 * otherwise Ignore for an eviction or preemption (condition DisruptionTarget, or an eviction
 * reason), else Count.
 */
export function failurePolicyAction(
  rules: readonly FailurePolicyRule[],
  failure: { readonly exitCode: number | undefined; readonly reason: string; readonly conditions: readonly PodCondition[] },
): FailurePolicyRule['action'] {
  for (const rule of rules) {
    if (rule.onExitCodes !== undefined) {
      if (failure.exitCode === undefined) continue;
      const listed = rule.onExitCodes.values.includes(failure.exitCode);
      if (rule.onExitCodes.operator === 'In' ? listed : !listed) return rule.action;
    } else if (rule.onPodConditions !== undefined) {
      const matches = rule.onPodConditions.some((wanted) => failure.conditions.some((c) => c.type === wanted.type && c.status === (wanted.status ?? 'True')));
      if (matches) return rule.action;
    }
  }
  const disrupted = failure.conditions.some((c) => c.type === 'DisruptionTarget' && c.status === 'True');
  if (disrupted || EVICTION_REASONS.has(failure.reason)) return 'Ignore';
  return 'Count';
}
