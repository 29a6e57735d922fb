import { describe, expect, it } from 'vitest';
import type { TaskSet } from './TaskSet.js';
import { TaskSetManager } from './TaskSetManager.js';

function taskSet(partitions: number[], prefs: string[][] = partitions.map(() => [])): TaskSet {
  return {
    stageId: 1,
    stageAttempt: 0,
    priority: 0,
    kind: 'result',
    partitions,
    preferredExecutors: prefs,
    binaryId: '1.0',
    binary: new Uint8Array(),
    jobGroup: undefined,
  };
}

describe('TaskSetManager', () => {
  let id = 0;
  const next = (): number => id++;
  const alive = new Set(['e1', 'e2']);

  it('launches each partition once and finishes when all succeed', () => {
    const m = new TaskSetManager(taskSet([0, 1, 2]), 4, 0);
    const launched = [m.resourceOffer('e1', alive, 0, next)!, m.resourceOffer('e2', alive, 0, next)!, m.resourceOffer('e1', alive, 0, next)!];
    expect(launched.map((t) => t.partition)).toEqual([0, 1, 2]);
    expect(m.resourceOffer('e1', alive, 0, next)).toBeUndefined();
    for (const t of launched) m.handleSuccess(t.taskId);
    expect(m.isFinished).toBe(true);
  });

  it('retries a failed task and aborts after maxTaskFailures', () => {
    const m = new TaskSetManager(taskSet([7]), 2, 0);
    const first = m.resourceOffer('e1', alive, 0, next)!;
    expect(m.handleFailure(first.taskId, { name: 'Error', message: 'boom' }, true)).toEqual({ kind: 'retry' });
    const second = m.resourceOffer('e2', alive, 0, next)!;
    expect(second.attemptNumber).toBe(1);
    expect(m.handleFailure(second.taskId, { name: 'Error', message: 'boom' }, true)).toMatchObject({ kind: 'abort', partition: 7, attempts: 2 });
    expect(m.isZombie).toBe(true);
  });

  it('killed attempts do not count towards the limit', () => {
    const m = new TaskSetManager(taskSet([0]), 1, 0);
    const t = m.resourceOffer('e1', alive, 0, next)!;
    expect(m.handleFailure(t.taskId, { name: 'TaskKilled', message: 'k', killed: true }, false)).toEqual({ kind: 'retry' });
  });

  it('holds a task for its preferred executor until the locality wait passes', () => {
    const m = new TaskSetManager(taskSet([0], [['e2']]), 4, 100);
    const start = Date.now();
    expect(m.resourceOffer('e1', alive, start, next)).toBeUndefined();
    expect(m.waitingForLocality).toBe(true);
    expect(m.resourceOffer('e1', alive, start + 150, next)?.partition).toBe(0);
  });

  it('runs a locality-bound task elsewhere at once when its executor is lost', () => {
    const m = new TaskSetManager(taskSet([0], [['e2']]), 4, 60_000);
    m.executorLost('e2', new Set(['e1']));
    expect(m.resourceOffer('e1', new Set(['e1']), Date.now(), next)?.partition).toBe(0);
  });

  it('a partition finished by another attempt is not launched', () => {
    const m = new TaskSetManager(taskSet([0, 1]), 4, 0);
    m.markPartitionCompleted(0);
    expect(m.resourceOffer('e1', alive, 0, next)?.partition).toBe(1);
    expect(m.resourceOffer('e1', alive, 0, next)).toBeUndefined();
  });
});
