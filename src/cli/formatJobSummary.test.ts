import { describe, expect, it } from 'vitest';
import type { StageCounters } from '../scheduler/StageCounters.js';
import { formatJobSummary, type JobSummaryStats } from './formatJobSummary.js';

const base: JobSummaryStats = {
  jobs: { succeeded: 1, failed: 0 },
  stages: { run: 1, skipped: 0, failed: 0 },
  tasks: { succeeded: 8, failed: 0, killed: 0, speculative: 0 },
  wallTimeMs: 420,
  shuffleBytesWritten: 0,
  shuffleBytesRead: 0,
  spillBytes: 0,
  skippedRecords: 0,
  stageCounters: [],
};

function stage(stageId: number, name: string, overrides: Partial<StageCounters> = {}): StageCounters {
  return {
    stageId,
    name,
    attempts: 1,
    tasks: { succeeded: 4, failed: 0, killed: 0, speculative: 0 },
    recordsIn: 0,
    recordsOut: 0,
    shuffleBytesWritten: 0,
    shuffleBytesRead: 0,
    spillBytes: 0,
    taskTimeMs: 0,
    skippedRecords: 0,
    ...overrides,
  };
}

describe('formatJobSummary', () => {
  it.each<[string, Partial<JobSummaryStats>, string]>([
    ['the all-good case on one line', {}, 'Summary: 1 job, 1 stage, 8 tasks in 420 ms'],
    ['no jobs at all', { jobs: { succeeded: 0, failed: 0 }, wallTimeMs: 1500 }, 'Summary: no jobs ran, 1.5 s'],
    [
      'failures, skips and kills, only when non-zero',
      {
        jobs: { succeeded: 2, failed: 1 },
        stages: { run: 4, skipped: 2, failed: 1 },
        tasks: { succeeded: 1200, failed: 3, killed: 1, speculative: 0 },
        wallTimeMs: 125_000,
      },
      'Summary: 3 jobs (1 failed), 7 stages (2 skipped, 1 failed), 1,204 tasks (3 failed, 1 killed) in 2 min 5 s',
    ],
    [
      'shuffle bytes in human units',
      { shuffleBytesWritten: 5 * 1024 * 1024 + 300 * 1024, shuffleBytesRead: 700 },
      'Summary: 1 job, 1 stage, 8 tasks in 420 ms\n  shuffle 5.3 MiB written, 700 B read',
    ],
    [
      'spill, speculative tasks and skipped bad records',
      { spillBytes: 2048, tasks: { succeeded: 8, failed: 0, killed: 2, speculative: 2 }, skippedRecords: 3 },
      'Summary: 1 job, 1 stage, 10 tasks (2 killed) in 420 ms\n  spilled 2.0 KiB; 2 speculative tasks; 3 bad records skipped',
    ],
    [
      'one of each, singular',
      { tasks: { succeeded: 8, failed: 0, killed: 0, speculative: 1 }, skippedRecords: 1 },
      'Summary: 1 job, 1 stage, 8 tasks in 420 ms\n  1 speculative task; 1 bad record skipped',
    ],
    ['large sizes and long runs', { shuffleBytesWritten: 3 * 1024 ** 3, shuffleBytesRead: 200 * 1024, wallTimeMs: 3_723_000 }, 'Summary: 1 job, 1 stage, 8 tasks in 1 h 2 min\n  shuffle 3.0 GiB written, 200 KiB read'],
  ])('%s', (_name, overrides, expected) => {
    expect(formatJobSummary({ ...base, ...overrides })).toBe(expected);
  });

  it('shows a per-stage table, with the optional columns only when a stage has them', () => {
    const text = formatJobSummary({
      ...base,
      stages: { run: 2, skipped: 0, failed: 0 },
      shuffleBytesWritten: 1536,
      shuffleBytesRead: 1536,
      stageCounters: [
        stage(0, 'map at job.ts:3', { recordsIn: 1_000, recordsOut: 20, shuffleBytesWritten: 1536, taskTimeMs: 1_250 }),
        stage(1, 'collect at job.ts:5', { tasks: { succeeded: 3, failed: 0, killed: 0, speculative: 0 }, recordsIn: 20, recordsOut: 5, shuffleBytesRead: 1536, taskTimeMs: 12 }),
      ],
    });
    expect(text).toBe(
      [
        'Summary: 1 job, 2 stages, 8 tasks in 420 ms',
        '  shuffle 1.5 KiB written, 1.5 KiB read',
        '  stage  tasks  records in  records out  shuffle write  shuffle read  task time  name',
        '      0      4       1,000           20        1.5 KiB             -      1.3 s  map at job.ts:3',
        '      1      3          20            5              -       1.5 KiB      12 ms  collect at job.ts:5',
      ].join('\n'),
    );

    const withFaults = formatJobSummary({
      ...base,
      tasks: { succeeded: 8, failed: 1, killed: 1, speculative: 1 },
      skippedRecords: 2,
      spillBytes: 4096,
      stageCounters: [
        stage(0, 'map', { tasks: { succeeded: 4, failed: 1, killed: 1, speculative: 1 }, skippedRecords: 2, spillBytes: 4096 }),
        stage(1, 'count'),
      ],
    });
    expect(withFaults.split('\n').slice(2)).toEqual([
      '  stage  tasks  failed  killed  speculative  records in  records out  shuffle write  shuffle read    spill  skipped  task time  name',
      '      0      6       1       1            1           0            0              -             -  4.0 KiB        2       0 ms  map',
      '      1      4       0       0            0           0            0              -             -        -        0       0 ms  count',
    ]);
  });

  it('keeps the table short: at most 20 stages, those with the most task time', () => {
    const stageCounters = Array.from({ length: 25 }, (_, i) => stage(i, `s${i}`, { taskTimeMs: i === 3 ? 5_000 : i }));
    const lines = formatJobSummary({ ...base, stageCounters }).split('\n');
    const rows = lines.slice(2, -1);
    expect(rows).toHaveLength(20);
    expect(rows.map((r) => r.trim().split(/\s+/)[0])).toEqual(['3', ...Array.from({ length: 19 }, (_, i) => String(i + 6))]);
    expect(lines.at(-1)).toBe('  … 5 more stages with less task time not shown');
  });
});
