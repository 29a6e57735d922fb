import { describe, expect, it } from 'vitest';
import { BadRecordTracker } from './BadRecordTracker.js';
import { DEFAULT_SCHEDULING_CONF, type SpeculationConf } from './SchedulingConf.js';
import type { TaskInfo } from './TaskInfo.js';
import type { TaskSet } from './TaskSet.js';
import { TaskSetManager, type TaskSetManagerOptions } from './TaskSetManager.js';

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

const noSpeculation = { ...DEFAULT_SCHEDULING_CONF.speculation, enabled: false };

function manager(ts: TaskSet, options: Partial<TaskSetManagerOptions> = {}): TaskSetManager {
  return new TaskSetManager(ts, { maxTaskFailures: 4, localityWaitMs: 0, speculation: noSpeculation, ...options });
}

describe('TaskSetManager', () => {
  let id = 0;
  const next = (): number => id++;
  const alive = new Set(['e1', 'e2']);

  it('launches each partition once and finishes when all succeed', () => {
    const m = manager(taskSet([0, 1, 2]));
    const launched = [m.resourceOffer('e1', alive, 0, next)!, m.resourceOffer('e2', alive, 0, next)!, m.resourceOffer('e1', alive, 0, next)!];
    expect(launched.map((t) => t.partition)).toEqual([0, 1, 2]);
    expect(m.resourceOffer('e1', alive, 0, next)).toBeUndefined();
    for (const t of launched) m.handleSuccess(t.taskId);
    expect(m.isFinished).toBe(true);
  });

  it('retries a failed task and aborts after maxTaskFailures', () => {
    const m = manager(taskSet([7]), { maxTaskFailures: 2 });
    const first = m.resourceOffer('e1', alive, 0, next)!;
    expect(m.handleFailure(first.taskId, { name: 'Error', message: 'boom' }, true)).toEqual({ kind: 'retry' });
    const second = m.resourceOffer('e2', alive, 0, next)!;
    expect(second.attemptNumber).toBe(1);
    expect(m.handleFailure(second.taskId, { name: 'Error', message: 'boom' }, true)).toMatchObject({ kind: 'abort', partition: 7, attempts: 2 });
    expect(m.isZombie).toBe(true);
  });

  it('with the default of 4 failures, a task that fails 3 times still gets a 4th attempt', () => {
    const m = manager(taskSet([0]), { maxTaskFailures: DEFAULT_SCHEDULING_CONF.maxTaskFailures });
    for (let attempt = 0; attempt < 3; attempt++) {
      const t = m.resourceOffer('e1', alive, 0, next)!;
      expect(t.attemptNumber).toBe(attempt);
      expect(m.handleFailure(t.taskId, { name: 'Error', message: 'flaky' }, true)).toEqual({ kind: 'retry' });
    }
    const fourth = m.resourceOffer('e1', alive, 0, next)!;
    expect(fourth.attemptNumber).toBe(3);
    expect(m.handleFailure(fourth.taskId, { name: 'Error', message: 'flaky' }, true)).toMatchObject({ kind: 'abort', attempts: 4 });
  });

  it('killed attempts and denied commits do not count towards the limit', () => {
    const m = manager(taskSet([0]), { maxTaskFailures: 1 });
    for (const error of [
      { name: 'TaskKilled', message: 'k', killed: true },
      { name: 'TaskCommitDenied', message: 'another attempt commits', killed: true },
    ]) {
      const t = m.resourceOffer('e1', alive, 0, next)!;
      expect(m.handleFailure(t.taskId, error, false)).toEqual({ kind: 'retry' });
    }
    const t = m.resourceOffer('e1', alive, 0, next)!;
    expect(t.attemptNumber).toBe(2);
    m.handleSuccess(t.taskId);
    expect(m.isFinished).toBe(true);
  });

  it('holds a task for its preferred executor until the locality wait passes', () => {
    const start = 1_000;
    const m = manager(taskSet([0], [['e2']]), { localityWaitMs: 100, clock: () => start });
    expect(m.resourceOffer('e1', alive, start, next)).toBeUndefined();
    expect(m.waitingForLocality).toBe(true);
    expect(m.resourceOffer('e1', alive, start + 150, next)?.partition).toBe(0);
  });

  it('runs a locality-bound task elsewhere at once when its executor is lost', () => {
    const m = manager(taskSet([0], [['e2']]), { localityWaitMs: 60_000 });
    m.executorLost('e2', new Set(['e1']));
    expect(m.resourceOffer('e1', new Set(['e1']), Date.now(), next)?.partition).toBe(0);
  });

  it('a partition finished by another attempt is not launched', () => {
    const m = manager(taskSet([0, 1]));
    m.markPartitionCompleted(0);
    expect(m.resourceOffer('e1', alive, 0, next)?.partition).toBe(1);
    expect(m.resourceOffer('e1', alive, 0, next)).toBeUndefined();
  });
});

describe('TaskSetManager speculation (fake clock)', () => {
  const conf: SpeculationConf = { enabled: true, quantile: 0.75, multiplier: 1.5, intervalMs: 100, minTaskRuntimeMs: 100 };
  const executors = new Set(['e1', 'e2', 'e3']);

  /** A set of `n` tasks launched round-robin on e1..e3 at time 0, with a clock the test moves. */
  function running(n: number, speculation: SpeculationConf = conf): { m: TaskSetManager; tasks: TaskInfo[]; clock: { now: number } } {
    const clock = { now: 0 };
    let id = 0;
    const m = manager(
      taskSet(Array.from({ length: n }, (_, i) => i)),
      { speculation, clock: () => clock.now },
    );
    const tasks: TaskInfo[] = [];
    for (let i = 0; i < n; i++) {
      const t = m.resourceOffer(`e${(i % 3) + 1}`, executors, 0, () => id++)!;
      m.taskStarted(t.taskId);
      tasks.push(t);
    }
    return { m, tasks, clock };
  }

  const offer = (m: TaskSetManager, executorId: string, now: number): TaskInfo | undefined => m.resourceOffer(executorId, executors, now, () => 1000 + now);

  it('backs up a straggler once 75% of the tasks succeeded and it runs 1.5x the median', () => {
    const { m, tasks, clock } = running(4);
    clock.now = 200;
    m.handleSuccess(tasks[0]!.taskId);
    m.handleSuccess(tasks[1]!.taskId);
    clock.now = 400;
    expect(m.checkSpeculatableTasks()).toBe(false); // 2 of 4 < 75%
    m.handleSuccess(tasks[2]!.taskId); // durations 200, 200, 400: median 200, threshold 300
    clock.now = 400;
    expect(m.checkSpeculatableTasks()).toBe(true); // task 3 has run 400 ms > 300
    expect([...m.speculatableTasks]).toEqual([3]);
    // Not on the executor already running it (task 3 went to e1).
    expect(tasks[3]!.executorId).toBe('e1');
    expect(offer(m, 'e1', 400)).toBeUndefined();
    const copy = offer(m, 'e2', 400)!;
    expect(copy).toMatchObject({ partition: 3, speculative: true, attemptNumber: 1, executorId: 'e2' });
    // One backup only.
    expect(m.checkSpeculatableTasks()).toBe(false);
    expect(offer(m, 'e3', 500)).toBeUndefined();
    // The copy wins: the original is returned to be killed; its late kill is not a failure.
    expect(m.handleSuccess(copy.taskId).map((t) => t.taskId)).toEqual([tasks[3]!.taskId]);
    expect(m.isFinished).toBe(false);
    expect(m.handleFailure(tasks[3]!.taskId, { name: 'TaskKilled', message: 'k', killed: true }, false)).toEqual({ kind: 'ignored' });
    expect(m.isFinished).toBe(true);
  });

  it('does not speculate before the threshold, below minTaskRuntime, or when disabled', () => {
    const { m, tasks, clock } = running(4);
    clock.now = 10;
    for (const t of tasks.slice(0, 3)) m.handleSuccess(t.taskId); // median 10 ms
    clock.now = 90;
    expect(m.checkSpeculatableTasks()).toBe(false); // 1.5 x 10 = 15, but minTaskRuntime is 100
    clock.now = 101;
    expect(m.checkSpeculatableTasks()).toBe(true);

    const off = running(4, { ...conf, enabled: false });
    off.clock.now = 10;
    for (const t of off.tasks.slice(0, 3)) off.m.handleSuccess(t.taskId);
    off.clock.now = 60_000;
    expect(off.m.checkSpeculatableTasks()).toBe(false);
  });

  it('uses the running time from when the executor began the task, not from when it was queued', () => {
    const clock = { now: 0 };
    let id = 0;
    const m = manager(taskSet([0, 1, 2, 3]), { speculation: conf, clock: () => clock.now });
    const tasks = [0, 1, 2, 3].map((i) => m.resourceOffer(`e${(i % 3) + 1}`, executors, 0, () => id++)!);
    for (const t of tasks.slice(0, 3)) m.taskStarted(t.taskId);
    clock.now = 100;
    for (const t of tasks.slice(0, 3)) m.handleSuccess(t.taskId); // median 100: threshold 150
    clock.now = 1_000;
    m.taskStarted(tasks[3]!.taskId); // it waited in its executor's queue until now
    clock.now = 1_100;
    expect(m.checkSpeculatableTasks()).toBe(false);
    clock.now = 1_151;
    expect(m.checkSpeculatableTasks()).toBe(true);
  });

  it('never speculates a running task of a task set of one task', () => {
    const { m, clock } = running(1);
    clock.now = 60_000;
    expect(m.checkSpeculatableTasks()).toBe(false);
  });

  it('copies a task left waiting in a busy executor\'s queue, before the quantile is reached', () => {
    const clock = { now: 0 };
    let id = 0;
    const m = manager(taskSet([0, 1, 2, 3]), { speculation: conf, clock: () => clock.now });
    // e1 runs task 0 (a straggler) and holds task 3 in its queue; e2 and e3 run tasks 1 and 2.
    const tasks = ['e1', 'e2', 'e3', 'e1'].map((e) => m.resourceOffer(e, executors, 0, () => id++)!);
    for (const t of tasks.slice(0, 3)) m.taskStarted(t.taskId);
    clock.now = 50;
    m.handleSuccess(tasks[1]!.taskId);
    m.handleSuccess(tasks[2]!.taskId); // 2 of 4: the quantile (3) is not reached
    clock.now = 90;
    expect(m.checkSpeculatableTasks()).toBe(false); // task 0 ran 90 ms < max(1.5 x 50, 100)
    clock.now = 101;
    expect(m.checkSpeculatableTasks()).toBe(true); // task 3 waits behind it
    expect([...m.speculatableTasks]).toEqual([3]);
    const copy = m.resourceOffer('e2', executors, 101, () => id++)!;
    expect(copy).toMatchObject({ partition: 3, speculative: true });
    // The copy starts: the original, still queued behind the straggler, is withdrawn.
    expect(m.taskStarted(copy.taskId).map((t) => t.taskId)).toEqual([tasks[3]!.taskId]);
    expect(m.handleFailure(tasks[3]!.taskId, { name: 'TaskKilled', message: 'killed before it started', killed: true }, false)).toEqual({
      kind: 'stillRunning',
    });
    clock.now = 150;
    expect(m.handleSuccess(copy.taskId)).toEqual([]);
    // Now 3 of 4 succeeded: the straggler itself is backed up.
    clock.now = 400;
    expect(m.checkSpeculatableTasks()).toBe(true);
    expect([...m.speculatableTasks]).toEqual([0]);
  });

  it('leaves a queued task alone while the task ahead of it is not slow', () => {
    const clock = { now: 0 };
    let id = 0;
    const m = manager(taskSet([0, 1, 2, 3]), { speculation: conf, clock: () => clock.now });
    const tasks = ['e1', 'e2', 'e3', 'e1'].map((e) => m.resourceOffer(e, executors, 0, () => id++)!);
    // Executors were slow to begin (warming up): task 3 has been queued for 500 ms.
    clock.now = 450;
    for (const t of tasks.slice(0, 3)) m.taskStarted(t.taskId);
    clock.now = 500;
    m.handleSuccess(tasks[1]!.taskId);
    m.handleSuccess(tasks[2]!.taskId);
    expect(m.checkSpeculatableTasks()).toBe(false);
  });

  it('does not take tasks for queued when the backend never reports starts', () => {
    const clock = { now: 0 };
    let id = 0;
    const m = manager(taskSet([0, 1, 2, 3]), { speculation: conf, clock: () => clock.now });
    for (const e of ['e1', 'e2', 'e3', 'e1']) m.resourceOffer(e, executors, 0, () => id++);
    clock.now = 60_000;
    expect(m.checkSpeculatableTasks()).toBe(false);
  });

  it('when the original fails while its copy runs, the copy carries on and nothing is relaunched', () => {
    const { m, tasks, clock } = running(4);
    clock.now = 100;
    for (const t of tasks.slice(0, 3)) m.handleSuccess(t.taskId);
    clock.now = 1_000;
    m.checkSpeculatableTasks();
    const copy = offer(m, 'e2', 1_000)!;
    expect(m.handleFailure(tasks[3]!.taskId, { name: 'Error', message: 'boom' }, true)).toEqual({ kind: 'stillRunning' });
    expect(offer(m, 'e3', 1_000)).toBeUndefined();
    m.handleSuccess(copy.taskId);
    expect(m.isFinished).toBe(true);
  });

  it('a failed copy of a straggler makes it a candidate again', () => {
    const { m, tasks, clock } = running(4);
    clock.now = 100;
    for (const t of tasks.slice(0, 3)) m.handleSuccess(t.taskId);
    clock.now = 1_000;
    m.checkSpeculatableTasks();
    const copy = offer(m, 'e2', 1_000)!;
    expect(m.handleFailure(copy.taskId, { name: 'Error', message: 'copy failed' }, true)).toEqual({ kind: 'stillRunning' });
    expect(m.checkSpeculatableTasks()).toBe(true);
    expect(offer(m, 'e3', 1_000)).toMatchObject({ partition: 3, speculative: true, attemptNumber: 2 });
  });

  it('regular pending tasks go out before backup copies', () => {
    const clock = { now: 0 };
    let id = 0;
    const m = manager(taskSet([0, 1, 2, 3, 4]), { speculation: conf, clock: () => clock.now });
    const tasks = [0, 1, 2, 3].map(() => m.resourceOffer('e1', executors, 0, () => id++)!);
    clock.now = 100;
    for (const t of tasks.slice(0, 3)) m.handleSuccess(t.taskId); // 3 of 5 = floor(0.75 x 5)
    clock.now = 1_000;
    expect(m.checkSpeculatableTasks()).toBe(true); // task 3, while task 4 was never launched
    expect(m.resourceOffer('e2', executors, 1_000, () => id++)).toMatchObject({ partition: 4, speculative: false });
    expect(m.resourceOffer('e2', executors, 1_000, () => id++)).toMatchObject({ partition: 3, speculative: true });
  });
});

describe('TaskSetManager with bad-record skipping', () => {
  let id = 0;
  const next = (): number => id++;
  const alive = new Set(['e1']);

  it('retries record by record after a failure, and skips a record after two failures pinned to it without using up the retries', () => {
    const m = manager(taskSet([5]), { maxTaskFailures: 2, badRecords: new BadRecordTracker(10) });
    const a0 = m.resourceOffer('e1', alive, 0, next)!;
    expect(a0.isolateRecords).toBeUndefined();
    expect(m.handleFailure(a0.taskId, { name: 'Error', message: 'bad' }, true)).toEqual({ kind: 'retry' }); // 1 of 2 failures
    const a1 = m.resourceOffer('e1', alive, 0, next)!;
    expect(a1).toMatchObject({ isolateRecords: true });
    expect(a1.skipRecords).toBeUndefined();
    expect(m.handleFailure(a1.taskId, { name: 'Error', message: 'bad', failedRecordIndex: 7 }, true)).toEqual({ kind: 'retry' });
    const a2 = m.resourceOffer('e1', alive, 0, next)!;
    expect(m.handleFailure(a2.taskId, { name: 'Error', message: 'bad', failedRecordIndex: 7 }, true)).toEqual({ kind: 'retry', skippedRecord: 7 });
    const a3 = m.resourceOffer('e1', alive, 0, next)!;
    expect(a3).toMatchObject({ isolateRecords: true, skipRecords: [7], attemptNumber: 3 });
    m.handleSuccess(a3.taskId);
    expect(m.isFinished).toBe(true);
  });

  it('failures that cannot be pinned to a record count as usual', () => {
    const m = manager(taskSet([0]), { maxTaskFailures: 2, badRecords: new BadRecordTracker(10) });
    const a0 = m.resourceOffer('e1', alive, 0, next)!;
    m.handleFailure(a0.taskId, { name: 'Error', message: 'x' }, true);
    const a1 = m.resourceOffer('e1', alive, 0, next)!;
    expect(m.handleFailure(a1.taskId, { name: 'Error', message: 'x' }, true)).toMatchObject({ kind: 'abort', attempts: 2 });
  });
});
