import { describe, expect, it } from 'vitest';
import { emptyTaskMetrics, type TaskMetrics } from '../engine/TaskMetrics.js';
import type { SparkListenerEvent } from '../scheduler/SparkListenerEvent.js';
import { JobSummary } from './JobSummary.js';

function taskEnd(successful: boolean, reason?: string, metrics: Partial<TaskMetrics> = {}): SparkListenerEvent {
  return {
    type: 'taskEnd',
    stageId: 0,
    taskId: 0,
    partition: 0,
    attempt: 0,
    executorId: 'driver',
    successful,
    ...(reason === undefined ? {} : { reason }),
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
      taskEnd(true, undefined, { shuffleBytesWritten: 100, shuffleBytesRead: 40, recordsRead: 5, recordsWritten: 1 }),
      taskEnd(true, undefined, { shuffleBytesWritten: 50, recordsRead: 5 }),
      taskEnd(false, 'TypeError: x is undefined', { shuffleBytesWritten: 999 }),
      taskEnd(false, 'killed: another attempt succeeded'),
      taskEnd(false, 'Task killed because the job was cancelled'),
      { type: 'stageCompleted', stageId: 1, attempt: 0, name: 'count', numTasks: 2, metrics: emptyTaskMetrics(), time: 0 },
      { type: 'stageCompleted', stageId: 2, attempt: 0, name: 'x', numTasks: 1, failureReason: 'boom', metrics: emptyTaskMetrics(), time: 0 },
      { type: 'jobEnd', jobId: 0, succeeded: true, time: 0 },
      { type: 'jobEnd', jobId: 1, succeeded: false, error: 'boom', time: 0 },
      { type: 'executorAdded', executorId: '1', host: 'h', cores: 2 },
    ];
    for (const e of events) summary.listener(e);
    now = 3500;
    expect(summary.stats()).toEqual({
      jobs: { succeeded: 1, failed: 1 },
      stages: { run: 1, skipped: 1, failed: 1 },
      tasks: { succeeded: 2, failed: 1, killed: 2 },
      wallTimeMs: 2500,
      shuffleBytesWritten: 150,
      shuffleBytesRead: 40,
      recordsRead: 10,
      recordsWritten: 1,
    });
    expect(summary.format()).toMatch(/^Summary: 2 jobs \(1 failed\), 3 stages \(1 skipped, 1 failed\), 5 tasks \(1 failed, 2 killed\) in 2\.5 s\n/);
  });
});
