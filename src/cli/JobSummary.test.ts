import { describe, expect, it } from 'vitest';
import { emptyTaskMetrics, type TaskMetrics } from '../engine/TaskMetrics.js';
import type { SparkListenerEvent } from '../scheduler/SparkListenerEvent.js';
import { JobSummary } from './JobSummary.js';

function taskEnd(
  successful: boolean,
  reason?: string,
  metrics: Partial<TaskMetrics> = {},
  extra: { partition?: number; stageId?: number; killed?: boolean; speculative?: boolean } = {},
): SparkListenerEvent {
  return {
    type: 'taskEnd',
    stageId: extra.stageId ?? 1,
    taskId: 0,
    partition: extra.partition ?? 0,
    attempt: 0,
    executorId: 'driver',
    successful,
    ...(reason === undefined ? {} : { reason }),
    ...(extra.killed === undefined ? {} : { killed: extra.killed }),
    ...(extra.speculative === undefined ? {} : { speculative: extra.speculative }),
    metrics: { ...emptyTaskMetrics(), ...metrics },
    durationMs: 1,
  };
}

describe('JobSummary', () => {
  it('counts jobs, stages and tasks and sums metrics of successful attempts', () => {
    let now = 1000;
    const summary = new JobSummary(() => now);
    const events: SparkListenerEvent[] = [
      { type: 'jobStart', jobId: 0, description: 'count', stageIds: [0, 1], time: 0 },
      { type: 'stageSkipped', jobId: 0, stageId: 0, name: 'map', numPartitions: 2 },
      { type: 'stageSubmitted', stageId: 1, attempt: 0, name: 'count at job.ts:4', numTasks: 2, numPartitions: 2, time: 0 },
      taskEnd(true, undefined, { shuffleBytesWritten: 100, shuffleBytesRead: 40, recordsIn: 5, recordsOut: 1, executorRunTimeMs: 7 }),
      taskEnd(true, undefined, { shuffleBytesWritten: 50, recordsIn: 5, spillBytes: 9, skippedRecords: 2 }, { partition: 1 }),
      taskEnd(false, 'TypeError: x is undefined', { shuffleBytesWritten: 999 }),
      taskEnd(false, 'TaskKilled: another attempt of this partition finished first', {}, { killed: true, speculative: true }),
      // Older producers: no kill flag, the reason says it.
      taskEnd(false, 'Task killed because the job was cancelled'),
      { type: 'stageCompleted', stageId: 1, attempt: 0, name: 'count', numTasks: 2, metrics: emptyTaskMetrics(), time: 0 },
      { type: 'stageCompleted', stageId: 2, attempt: 0, name: 'x', numTasks: 1, failureReason: 'boom', metrics: emptyTaskMetrics(), time: 0 },
      { type: 'jobEnd', jobId: 0, succeeded: true, time: 0 },
      { type: 'jobEnd', jobId: 1, succeeded: false, error: 'boom', time: 0 },
      { type: 'executorAdded', executorId: '1', host: 'h', cores: 2 },
    ];
    for (const e of events) summary.listener(e);
    now = 3500;
    const stats = summary.stats();
    expect(stats).toMatchObject({
      jobs: { succeeded: 1, failed: 1 },
      stages: { run: 1, skipped: 1, failed: 1 },
      tasks: { succeeded: 2, failed: 1, killed: 2, speculative: 1 },
      wallTimeMs: 2500,
      shuffleBytesWritten: 150,
      shuffleBytesRead: 40,
      spillBytes: 9,
      skippedRecords: 2,
    });
    expect(stats.stageCounters).toEqual([
      {
        stageId: 1,
        name: 'count at job.ts:4',
        attempts: 1,
        tasks: { succeeded: 2, failed: 1, killed: 2, speculative: 1 },
        recordsIn: 10,
        recordsOut: 1,
        shuffleBytesWritten: 150,
        shuffleBytesRead: 40,
        spillBytes: 9,
        taskTimeMs: 7,
        skippedRecords: 2,
      },
    ]);
    const text = summary.format();
    expect(text).toMatch(/^Summary: 2 jobs \(1 failed\), 3 stages \(1 skipped, 1 failed\), 5 tasks \(1 failed, 2 killed\) in 2\.5 s\n/);
    expect(text).toContain('\n  shuffle 150 B written, 40 B read; spilled 9 B; 1 speculative task; 2 bad records skipped\n');
    expect(text).toMatch(/\n {2}stage {2}tasks {2}failed {2}killed {2}speculative {2}records in .* name\n {6}1 {6}5 {7}1 {7}2 {12}1 {10}10 .* count at job\.ts:4$/);
  });
});
