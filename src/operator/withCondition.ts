import type { SparkJobConditionType } from '../api/SparkJobConditionType.js';
import type { SparkJobCondition } from '../api/SparkJobStatus.js';

/**
 * The conditions with `type` True (reason, message) and every other known condition False:
 * exactly one phase condition holds at a time. lastTransitionTime moves only when a
 * condition's status changes.
 */
export function withCondition(
  conditions: readonly SparkJobCondition[] | undefined,
  type: SparkJobConditionType,
  reason: string,
  message: string,
  now: string,
  generation: number | undefined,
): SparkJobCondition[] {
  const result: SparkJobCondition[] = [];
  let found = false;
  for (const c of conditions ?? []) {
    const status = c.type === type ? 'True' : 'False';
    if (c.type === type) found = true;
    result.push({
      ...c,
      status,
      ...(c.type === type ? { reason, message } : {}),
      lastTransitionTime: c.status === status && c.lastTransitionTime !== undefined ? c.lastTransitionTime : now,
      ...(generation === undefined ? {} : { observedGeneration: generation }),
    });
  }
  if (!found) result.push({ type, status: 'True', reason, message, lastTransitionTime: now, ...(generation === undefined ? {} : { observedGeneration: generation }) });
  return result;
}
