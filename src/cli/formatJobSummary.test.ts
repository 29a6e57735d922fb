import { describe, expect, it } from 'vitest';
import { formatJobSummary, type JobSummaryStats } from './formatJobSummary.js';

const base: JobSummaryStats = {
  jobs: { succeeded: 1, failed: 0 },
  stages: { run: 1, skipped: 0, failed: 0 },
  tasks: { succeeded: 8, failed: 0, killed: 0 },
  wallTimeMs: 420,
  shuffleBytesWritten: 0,
  shuffleBytesRead: 0,
  recordsRead: 0,
  recordsWritten: 0,
};

describe('formatJobSummary', () => {
  it.each<[string, Partial<JobSummaryStats>, string]>([
    ['the all-good case on one line', {}, 'Summary: 1 job, 1 stage, 8 tasks in 420 ms'],
    ['no jobs at all', { jobs: { succeeded: 0, failed: 0 }, wallTimeMs: 1500 }, 'Summary: no jobs ran, 1.5 s'],
    [
      'failures, skips and kills, only when non-zero',
      {
        jobs: { succeeded: 2, failed: 1 },
        stages: { run: 4, skipped: 2, failed: 1 },
        tasks: { succeeded: 1200, failed: 3, killed: 1 },
        wallTimeMs: 125_000,
      },
      'Summary: 3 jobs (1 failed), 7 stages (2 skipped, 1 failed), 1,204 tasks (3 failed, 1 killed) in 2 min 5 s',
    ],
    [
      'shuffle bytes in human units and records with separators',
      { shuffleBytesWritten: 5 * 1024 * 1024 + 300 * 1024, shuffleBytesRead: 700, recordsRead: 1_000_000, recordsWritten: 20 },
      'Summary: 1 job, 1 stage, 8 tasks in 420 ms\n  shuffle 5.3 MiB written, 700 B read; records 1,000,000 in, 20 out',
    ],
    ['records without shuffle', { recordsRead: 3 }, 'Summary: 1 job, 1 stage, 8 tasks in 420 ms\n  records 3 in, 0 out'],
    ['large sizes and long runs', { shuffleBytesWritten: 3 * 1024 ** 3, shuffleBytesRead: 200 * 1024, wallTimeMs: 3_723_000 }, 'Summary: 1 job, 1 stage, 8 tasks in 1 h 2 min\n  shuffle 3.0 GiB written, 200 KiB read'],
  ])('%s', (_name, overrides, expected) => {
    expect(formatJobSummary({ ...base, ...overrides })).toBe(expected);
  });
});
