import { describe, expect, it } from 'vitest';
import { BadRecordTracker } from './BadRecordTracker.js';

const pinned = (at: number) => ({ isolated: true, failedRecordIndex: at });
const unpinned = { isolated: true, failedRecordIndex: undefined };

describe('BadRecordTracker', () => {
  it('isolates records after the first failure and skips a record after two failures pinned to it', () => {
    const t = new BadRecordTracker(10);
    expect(t.planFor(1, 0)).toEqual({ isolateRecords: false, skipRecords: [] });
    expect(t.recordFailure(1, 0, { isolated: false, failedRecordIndex: undefined })).toEqual({ countsAsFailure: true, newlySkipped: undefined });
    expect(t.planFor(1, 0)).toEqual({ isolateRecords: true, skipRecords: [] });
    expect(t.recordFailure(1, 0, pinned(4))).toEqual({ countsAsFailure: false, newlySkipped: undefined });
    expect(t.recordFailure(1, 0, pinned(4))).toEqual({ countsAsFailure: false, newlySkipped: 4 });
    expect(t.planFor(1, 0)).toEqual({ isolateRecords: true, skipRecords: [4] });
    // Another partition and another stage are separate tasks.
    expect(t.planFor(1, 1)).toEqual({ isolateRecords: false, skipRecords: [] });
    expect(t.planFor(2, 0)).toEqual({ isolateRecords: false, skipRecords: [] });
  });

  it('needs the same record twice in a row; skipped positions stay sorted', () => {
    const t = new BadRecordTracker(10);
    t.recordFailure(1, 0, pinned(9));
    t.recordFailure(1, 0, pinned(3));
    expect(t.skippedRecords(1, 0)).toEqual([]);
    expect(t.recordFailure(1, 0, pinned(3)).newlySkipped).toBe(3);
    t.recordFailure(1, 0, pinned(1));
    expect(t.recordFailure(1, 0, pinned(1)).newlySkipped).toBe(1);
    expect(t.planFor(1, 0).skipRecords).toEqual([1, 3]);
  });

  it('counts failures it cannot pin: not isolated, no record, or a record already skipped', () => {
    const t = new BadRecordTracker(10);
    expect(t.recordFailure(1, 0, { isolated: false, failedRecordIndex: 2 }).countsAsFailure).toBe(true);
    expect(t.recordFailure(1, 0, unpinned).countsAsFailure).toBe(true);
    t.recordFailure(1, 0, pinned(2));
    t.recordFailure(1, 0, pinned(2));
    expect(t.recordFailure(1, 0, pinned(2))).toEqual({ countsAsFailure: true, newlySkipped: undefined });
  });

  it('skips at most maxSkippedRecords records and charges at most twice that many failures to skipping', () => {
    const t = new BadRecordTracker(2);
    for (const at of [5, 5, 6, 6]) expect(t.recordFailure(1, 0, pinned(at)).countsAsFailure).toBe(false);
    expect(t.skippedRecords(1, 0)).toEqual([5, 6]);
    // The third bad record is over the limit: its failures count towards spark.task.maxFailures.
    expect(t.recordFailure(1, 0, pinned(7))).toEqual({ countsAsFailure: true, newlySkipped: undefined });
    expect(t.recordFailure(1, 0, pinned(7))).toEqual({ countsAsFailure: true, newlySkipped: undefined });

    // Failures pinned to a different record each time (not deterministic) run out too.
    const flaky = new BadRecordTracker(2);
    const verdicts = [10, 11, 12, 13, 14].map((at) => flaky.recordFailure(1, 0, pinned(at)).countsAsFailure);
    expect(verdicts).toEqual([false, false, false, false, true]);
    expect(flaky.skippedRecords(1, 0)).toEqual([]);
  });

  it('maxSkippedRecords 0 never skips', () => {
    const t = new BadRecordTracker(0);
    expect(t.recordFailure(1, 0, pinned(1)).countsAsFailure).toBe(true);
    expect(t.recordFailure(1, 0, pinned(1))).toEqual({ countsAsFailure: true, newlySkipped: undefined });
  });
});
