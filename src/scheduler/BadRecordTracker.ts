/** How the next attempt of a task reads its input when bad-record skipping is on. */
export interface RecordPlan {
  /** One input record per batch, so the executor can tell which record a failure came from. */
  readonly isolateRecords: boolean;
  /** Input positions the attempt drops, ascending. */
  readonly skipRecords: readonly number[];
}

/** What one failed attempt reported, for the skipping decision. */
export interface AttemptFailure {
  /** The attempt ran with `isolateRecords`. */
  readonly isolated: boolean;
  /** The input position the failure was pinned to by the executor, if it could be. */
  readonly failedRecordIndex: number | undefined;
}

export interface FailureVerdict {
  /** Whether the failure counts towards `spark.task.maxFailures`. */
  readonly countsAsFailure: boolean;
  /** The input position this failure made the task skip from now on. */
  readonly newlySkipped: number | undefined;
}

interface TaskRecordState {
  failures: number;
  readonly skipped: number[];
  /** Where the last pinned failure was, until a second failure there confirms the record is bad. */
  lastPinned: number | undefined;
  /** Failures charged to the skipping budget instead of the failure budget. */
  pinnedFailures: number;
}

/**
 * The bookkeeping of bad-record skipping (MapReduce's skipping mode), per task — stage and
 * partition, so it outlives stage attempts and a recomputed partition skips the same records.
 *
 * - A task's first attempt reads its input in normal batches. After a failure, attempts read
 *   one record per batch, and the executor pins a failure to the input record being processed.
 * - Two failures pinned to the same record make it bad: later attempts skip it.
 * - The budget rule: a pinned failure (at a record not already skipped) does not count towards
 *   `spark.task.maxFailures`, so finding bad records does not use up the task's retries; but a
 *   task may charge at most `2 × maxSkippedRecords` failures this way and skip at most
 *   `maxSkippedRecords` records. Beyond that, and for failures that cannot be pinned (the first,
 *   batched attempt; a failure while reading a source, such as a shuffle's aggregation or an RDD
 *   computed to be cached; a failure after all input was read), failures count as usual.
 */
export class BadRecordTracker {
  readonly #tasks = new Map<string, TaskRecordState>();

  constructor(readonly maxSkippedRecords: number) {}

  planFor(stageId: number, partition: number): RecordPlan {
    const state = this.#tasks.get(key(stageId, partition));
    if (state === undefined) return { isolateRecords: false, skipRecords: [] };
    return { isolateRecords: state.failures > 0, skipRecords: [...state.skipped] };
  }

  /** An attempt of the task failed (not killed, not a fetch failure). */
  recordFailure(stageId: number, partition: number, failure: AttemptFailure): FailureVerdict {
    const k = key(stageId, partition);
    let state = this.#tasks.get(k);
    if (state === undefined) this.#tasks.set(k, (state = { failures: 0, skipped: [], lastPinned: undefined, pinnedFailures: 0 }));
    state.failures++;
    const at = failure.failedRecordIndex;
    const pinned = failure.isolated && at !== undefined && Number.isInteger(at) && at >= 0 && !state.skipped.includes(at);
    const withinBudget = state.skipped.length < this.maxSkippedRecords && state.pinnedFailures < 2 * this.maxSkippedRecords;
    if (!pinned || !withinBudget) return { countsAsFailure: true, newlySkipped: undefined };
    state.pinnedFailures++;
    if (state.lastPinned !== at) {
      state.lastPinned = at;
      return { countsAsFailure: false, newlySkipped: undefined };
    }
    state.lastPinned = undefined;
    state.skipped.push(at);
    state.skipped.sort((a, b) => a - b);
    return { countsAsFailure: false, newlySkipped: at };
  }

  /** Records the task skips now. */
  skippedRecords(stageId: number, partition: number): readonly number[] {
    return this.#tasks.get(key(stageId, partition))?.skipped ?? [];
  }
}

function key(stageId: number, partition: number): string {
  return `${stageId}:${partition}`;
}
