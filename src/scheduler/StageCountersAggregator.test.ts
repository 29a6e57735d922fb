import { describe, expect, it } from 'vitest';
import { emptyTaskMetrics, type TaskMetrics } from '../engine/TaskMetrics.js';
import type { SparkListenerEvent } from './SparkListenerEvent.js';
import { StageCountersAggregator } from './StageCountersAggregator.js';

function taskEnd(
  stageId: number,
  partition: number,
  outcome: 'ok' | 'failed' | 'killed',
  metrics: Partial<TaskMetrics> = {},
  extra: { stageAttempt?: number; speculative?: boolean } = {},
): SparkListenerEvent {
  return {
    type: 'taskEnd',
    stageId,
    stageAttempt: extra.stageAttempt ?? 0,
    taskId: 0,
    partition,
    attempt: 0,
    executorId: 'e1',
    successful: outcome === 'ok',
    ...(outcome === 'ok' ? {} : { reason: outcome === 'killed' ? 'TaskKilled: task 3 was killed' : 'Error: boom' }),
    killed: outcome === 'killed',
    speculative: extra.speculative ?? false,
    metrics: { ...emptyTaskMetrics(), ...metrics },
    durationMs: 1,
  };
}

const submitted = (stageId: number, attempt: number, name: string): SparkListenerEvent => ({
  type: 'stageSubmitted',
  stageId,
  attempt,
  name,
  numTasks: 2,
  numPartitions: 2,
  time: 0,
});
const completed = (stageId: number, attempt: number): SparkListenerEvent => ({
  type: 'stageCompleted',
  stageId,
  attempt,
  name: 'x',
  numTasks: 2,
  metrics: emptyTaskMetrics(),
  time: 0,
});

describe('StageCountersAggregator', () => {
  it('sums records and bytes of successful attempts, task time of all, and counts tasks by outcome', () => {
    const a = new StageCountersAggregator();
    const m = { recordsIn: 10, recordsOut: 4, shuffleBytesWritten: 100, shuffleBytesRead: 7, spillBytes: 3, skippedRecords: 1, executorRunTimeMs: 20 };
    for (const e of [
      submitted(0, 0, 'map at job.ts:3'),
      taskEnd(0, 0, 'failed', { ...m, executorRunTimeMs: 5 }),
      taskEnd(0, 0, 'ok', m),
      taskEnd(0, 1, 'ok', m),
      // The losing copy of a speculated task, killed after the winner finished.
      taskEnd(0, 1, 'killed', { ...m, executorRunTimeMs: 30 }, { speculative: true }),
      completed(0, 0),
    ]) {
      a.onEvent(e);
    }
    expect(a.stage(0)).toEqual({
      stageId: 0,
      name: 'map at job.ts:3',
      attempts: 1,
      tasks: { succeeded: 2, failed: 1, killed: 1, speculative: 1 },
      recordsIn: 20,
      recordsOut: 8,
      shuffleBytesWritten: 200,
      shuffleBytesRead: 14,
      spillBytes: 6,
      taskTimeMs: 75,
      skippedRecords: 2,
    });
  });

  it('counts a partition once per stage attempt when two copies both succeed, and again in a resubmitted attempt', () => {
    const a = new StageCountersAggregator();
    a.onEvent(submitted(3, 0, 'reduce'));
    a.onEvent(taskEnd(3, 0, 'ok', { recordsOut: 5 }));
    a.onEvent(taskEnd(3, 0, 'ok', { recordsOut: 5 }, { speculative: true }));
    a.onEvent(completed(3, 0));
    a.onEvent(taskEnd(3, 1, 'ok', { recordsOut: 5 })); // a late success of the completed attempt
    a.onEvent(submitted(3, 1, 'reduce'));
    a.onEvent(taskEnd(3, 0, 'ok', { recordsOut: 5 }, { stageAttempt: 1 }));
    expect(a.stage(3)).toMatchObject({ attempts: 2, recordsOut: 10, tasks: { succeeded: 4, speculative: 1 } });
  });

  it('lists stages by id and keeps only the latest ones', () => {
    const a = new StageCountersAggregator(2);
    for (const id of [5, 1, 9]) a.onEvent(submitted(id, 0, `s${id}`));
    expect(a.stages().map((s) => s.stageId)).toEqual([1, 9]);
    expect(a.stage(5)).toBeUndefined();
    // Copies: changing one does not change the aggregator.
    (a.stage(1)!.tasks as { succeeded: number }).succeeded = 99;
    expect(a.stage(1)!.tasks.succeeded).toBe(0);
  });
});
