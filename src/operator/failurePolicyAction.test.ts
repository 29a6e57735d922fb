import { describe, expect, it } from 'vitest';
import { failurePolicyAction } from './failurePolicyAction.js';

const exit = (exitCode: number) => ({ exitCode, reason: 'Error', conditions: [] });

describe('failurePolicyAction', () => {
  it('counts a plain non-zero exit when no rule matches', () => {
    expect(failurePolicyAction([], exit(1))).toBe('Count');
  });

  it('ignores evictions and preemptions: the DisruptionTarget condition or an eviction reason', () => {
    expect(failurePolicyAction([], { exitCode: 137, reason: 'Error', conditions: [{ type: 'DisruptionTarget', status: 'True', reason: 'EvictionByEvictionAPI' }] })).toBe('Ignore');
    expect(failurePolicyAction([], { exitCode: undefined, reason: 'Evicted', conditions: [] })).toBe('Ignore');
  });

  it('applies the first matching rule in order', () => {
    const rules = [
      { action: 'FailJob' as const, onExitCodes: { operator: 'In' as const, values: [42] } },
      { action: 'Ignore' as const, onExitCodes: { operator: 'NotIn' as const, values: [1, 42] } },
    ];
    expect(failurePolicyAction(rules, exit(42))).toBe('FailJob');
    expect(failurePolicyAction(rules, exit(3))).toBe('Ignore');
    expect(failurePolicyAction(rules, exit(1))).toBe('Count');
  });

  it('lets a rule count a disruption that the default would ignore', () => {
    const rules = [{ action: 'Count' as const, onPodConditions: [{ type: 'DisruptionTarget' }] }];
    expect(failurePolicyAction(rules, { exitCode: 143, reason: 'Error', conditions: [{ type: 'DisruptionTarget', status: 'True' }] })).toBe('Count');
  });

  it('skips exit-code rules when the container never ran', () => {
    const rules = [{ action: 'FailJob' as const, onExitCodes: { operator: 'NotIn' as const, values: [0] } }];
    expect(failurePolicyAction(rules, { exitCode: undefined, reason: 'Error', conditions: [] })).toBe('Count');
  });
});
