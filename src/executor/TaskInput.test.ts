import { describe, expect, it } from 'vitest';
import type { TaskContext } from '../engine/TaskContext.js';
import { emptyTaskMetrics } from '../engine/TaskMetrics.js';
import { TaskInput } from './TaskInput.js';
import { TaskKilledError } from './TaskKilledError.js';

function context(killed = { value: false }): TaskContext {
  return {
    stageId: 0,
    stageAttemptNumber: 0,
    partitionId: 0,
    attemptNumber: 0,
    taskAttemptId: 7,
    executorId: 'e1',
    metrics: emptyTaskMetrics(),
    isInterrupted: () => killed.value,
    addTaskCompletionListener: () => {},
    runtime: undefined as never,
  };
}

function* batches(records: number[], size: number): Generator<number[]> {
  for (let i = 0; i < records.length; i += size) yield records.slice(i, i + size);
}
const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

/** A record-at-a-time operator, as the engine's map: fails on `bad`. */
function* mapFailingOn(input: Iterable<number[]>, bad: number): Generator<number[]> {
  for (const batch of input) {
    yield batch.map((x) => {
      if (x === bad) throw new Error(`bad ${x}`);
      return x;
    });
  }
}

function drain(input: Iterable<number[]>): number[] {
  const out: number[] = [];
  for (const b of input) out.push(...b);
  return out;
}

describe('TaskInput', () => {
  it('passes batches through as they are and counts records in', () => {
    const input = new TaskInput(context());
    const seen: number[][] = [];
    for (const b of input.source(() => batches(range(10), 4), 'records')) seen.push(b);
    expect(seen).toEqual([[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]);
    expect(input.recordsIn).toBe(10);
    expect(input.skippedRecords).toBe(0);
  });

  it('isolating, hands out one record per batch and pins a downstream failure to its position', () => {
    const input = new TaskInput(context(), { isolateRecords: true });
    const source = input.source(() => batches([10, 11, 12, 13, 14], 4), 'records');
    const seen: number[][] = [];
    expect(() => {
      for (const b of mapFailingOn(source, 13)) seen.push(b);
    }).toThrow('bad 13');
    expect(seen).toEqual([[10], [11], [12]]);
    expect(input.failedRecordIndex()).toBe(3);
  });

  it('numbers records across sources in the order they are read, and skips the given positions', () => {
    const input = new TaskInput(context(), { isolateRecords: true, skipRecords: [1, 4] });
    const first = drain(input.source(() => batches([0, 1, 2], 2), 'records'));
    const second = drain(input.source(() => batches([3, 4, 5], 2), 'records'));
    expect([first, second]).toEqual([[0, 2], [3, 5]]);
    expect(input.recordsIn).toBe(6);
    expect(input.skippedRecords).toBe(2);
    // Without isolation too (whole batches, filtered).
    const batched = new TaskInput(context(), { skipRecords: [0, 5] });
    expect(drain(batched.source(() => batches(range(6), 4), 'records'))).toEqual([1, 2, 3, 4]);
    expect(batched.skippedRecords).toBe(2);
  });

  it('does not pin a failure of the source itself, one after all input was read, or one in a batched attempt', () => {
    const failingSource = new TaskInput(context(), { isolateRecords: true });
    function* breaksAfterTwo(): Generator<number[]> {
      yield [1];
      yield [2];
      throw new Error('corrupt input');
    }
    expect(() => drain(failingSource.source(() => breaksAfterTwo(), 'records'))).toThrow('corrupt input');
    expect(failingSource.failedRecordIndex()).toBeUndefined();

    const failingOpen = new TaskInput(context(), { isolateRecords: true });
    expect(() =>
      failingOpen.source(() => {
        throw new Error('cannot open');
      }, 'records'),
    ).toThrow('cannot open');
    expect(failingOpen.failedRecordIndex()).toBeUndefined();

    const afterInput = new TaskInput(context(), { isolateRecords: true });
    const all = drain(afterInput.source(() => batches(range(3), 2), 'records'));
    expect(all).toEqual([0, 1, 2]);
    expect(afterInput.failedRecordIndex()).toBeUndefined();

    const batched = new TaskInput(context());
    expect(() => drain(mapFailingOn(batched.source(() => batches(range(5), 2), 'records'), 3))).toThrow('bad 3');
    expect(batched.failedRecordIndex()).toBeUndefined();
  });

  it('numbers a persisted partition as the input, counting the records where they come from', () => {
    // Computed to be cached: its lineage leaf is opened (and read) while it opens.
    const miss = new TaskInput(context(), { isolateRecords: true, skipRecords: [0] });
    const computed = miss.source(() => {
      const leaf = miss.source(() => batches([5, 6, 7, 8], 2), 'records');
      return [drain(leaf).map((x) => x * 10)]; // stored whole, then handed on
    }, 'cache');
    expect(drain(computed)).toEqual([60, 70, 80]);
    expect(miss.recordsIn).toBe(4); // the leaf's records, not the cached ones again
    expect(miss.skippedRecords).toBe(1);

    // Computed lazily: the leaf opens at the first pull.
    const lazy = new TaskInput(context());
    const streamed = lazy.source(
      () => ({
        *[Symbol.iterator]() {
          yield* lazy.source(() => batches([1, 2, 3], 2), 'records');
        },
      }),
      'cache',
    );
    expect(drain(streamed)).toEqual([1, 2, 3]);
    expect(lazy.recordsIn).toBe(3);

    // Read from the cache: its records are the ones read.
    const hit = new TaskInput(context(), { isolateRecords: true, skipRecords: [0] });
    expect(drain(hit.source(() => [[60, 70, 80]], 'cache'))).toEqual([70, 80]);
    expect(hit.recordsIn).toBe(3);
  });

  it('counts fetched shuffle records as records in, not the aggregated ones', () => {
    const ctx = context();
    const input = new TaskInput(ctx);
    function* aggregatingRead(): Generator<number[]> {
      ctx.metrics.shuffleRecordsRead += 40; // fetched and combined into two keys
      yield [1, 2];
    }
    expect(drain(input.source(() => aggregatingRead(), 'shuffle'))).toEqual([1, 2]);
    expect(input.recordsIn).toBe(40);
  });

  it('stops the task between batches once it is killed, and closes the source', () => {
    const killed = { value: false };
    const input = new TaskInput(context(killed));
    let closed = false;
    function* endless(): Generator<number[]> {
      try {
        for (;;) yield [1];
      } finally {
        closed = true;
      }
    }
    const it = input.source(() => endless(), 'records')[Symbol.iterator]();
    it.next();
    killed.value = true;
    expect(() => it.next()).toThrow(TaskKilledError);
    expect(closed).toBe(true);

    closed = false;
    const stopped = new TaskInput(context());
    for (const b of stopped.source(() => endless(), 'records')) if (b.length > 0) break;
    expect(closed).toBe(true);
  });
});
