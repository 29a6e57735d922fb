import type { TaskContext } from '../engine/TaskContext.js';
import { TaskKilledError } from './TaskKilledError.js';

/** `records`: a lineage leaf (an input split, a parallelized slice); `shuffle`: a shuffle read; `cache`: a persisted RDD's partition. */
export type SourceKind = 'records' | 'shuffle' | 'cache';

interface OpenSource {
  readonly kind: SourceKind;
  /** Other sources were opened beneath it: a persisted partition computed now, not read from the cache. */
  computed: boolean;
}

/** How an attempt reads its input (bad-record skipping; see scheduler/BadRecordTracker). */
export interface InputPlan {
  readonly isolateRecords?: boolean | undefined;
  readonly skipRecords?: readonly number[] | undefined;
}

/**
 * The records one task attempt reads from its sources: an input split or parallelized slice
 * (a lineage leaf), a persisted RDD's partition, or a shuffle read. It counts them (records
 * in), numbers them by position in the order the pipeline reads them, stops the task between
 * batches once it is killed, and for bad-record skipping hands them out one per batch
 * (`isolateRecords`) and drops the positions in `skipRecords`.
 *
 * Records in are counted where they originate: leaves, shuffle fetches (before aggregation),
 * and persisted partitions read from the cache (one computed now counts the records of the
 * sources beneath it instead). Numbering is of the stage's input as its pipeline sees it:
 * sources opened while another source computes (the lineage under a persisted RDD computed to
 * be cached) are passed through unnumbered, so positions are the same whether the partition
 * was cached or not.
 *
 * Pinning a failure: with one record per batch and record-at-a-time operators, the record a
 * failure came from is the one handed out last and not yet done with (the source is
 * suspended after yielding it). A failure raised by a source itself (a shuffle's aggregation,
 * an RDD computed to be cached, unreadable input) is not pinned, nor one raised when no
 * record is in flight (after all input was read).
 */
export class TaskInput {
  readonly #isolate: boolean;
  readonly #skip: ReadonlySet<number>;
  #nextPosition = 0;
  /** Position of the record handed out last and still being processed; -1: none. */
  #inFlight = -1;
  /** Sources opening or computing their next batch, innermost last. */
  readonly #active: OpenSource[] = [];
  #sourceFailed = false;
  #recordsIn = 0;
  #skippedRecords = 0;

  constructor(
    private readonly ctx: TaskContext,
    plan: InputPlan = {},
  ) {
    this.#isolate = plan.isolateRecords === true;
    this.#skip = new Set(plan.skipRecords ?? []);
  }

  /** Records read from top-level sources (shuffle reads: records fetched, before aggregation). */
  get recordsIn(): number {
    return this.#recordsIn;
  }

  /** Records dropped because their position was in `skipRecords`. */
  get skippedRecords(): number {
    return this.#skippedRecords;
  }

  /** After a failure: the input position it is pinned to, when records were isolated and it could be pinned. */
  failedRecordIndex(): number | undefined {
    return this.#isolate && !this.#sourceFailed && this.#inFlight >= 0 ? this.#inFlight : undefined;
  }

  /** The batches of a source; `open` creates them (it runs as part of the source, so its failures are the source's). */
  source<T>(open: () => Iterable<T[]>, kind: SourceKind): Iterable<T[]> {
    const parent = this.#active.at(-1);
    if (parent !== undefined) parent.computed = true;
    const source: OpenSource = { kind, computed: false };
    const inner = this.#enter(source, open);
    // A source opened beneath another is counted and checked for kills, not numbered.
    return parent !== undefined ? this.#batches(inner, source) : this.#read(inner, source);
  }

  #enter<R>(source: OpenSource, step: () => R): R {
    this.#active.push(source);
    try {
      return step();
    } catch (error) {
      this.#sourceFailed = true;
      throw error;
    } finally {
      this.#active.pop();
    }
  }

  /** The next batch of a source, counting records in; undefined when it is done. What the source throws passes through (it is then closed). */
  #pull<T>(it: Iterator<T[]>, source: OpenSource): T[] | undefined {
    const metrics = this.ctx.metrics;
    const fetchedBefore = metrics.shuffleRecordsRead;
    const step = this.#enter(source, () => it.next());
    if (source.kind === 'shuffle') this.#recordsIn += metrics.shuffleRecordsRead - fetchedBefore;
    if (step.done === true) return undefined;
    if (source.kind === 'records' || (source.kind === 'cache' && !source.computed)) this.#recordsIn += step.value.length;
    return step.value;
  }

  #checkKilled(): void {
    if (this.ctx.isInterrupted()) throw new TaskKilledError(this.ctx.taskAttemptId);
  }

  /**
   * A source's batches, counted and checked for kills; `beforePull` runs each time the consumer
   * asks for more. The source is closed when the consumer stops early, not after it failed.
   */
  *#batches<T>(inner: Iterable<T[]>, source: OpenSource, beforePull?: () => void): Generator<T[]> {
    const it = this.#enter(source, () => inner[Symbol.iterator]());
    let innerOpen = true;
    try {
      for (;;) {
        beforePull?.();
        let batch: T[] | undefined;
        try {
          batch = this.#pull(it, source);
        } catch (error) {
          innerOpen = false;
          throw error;
        }
        if (batch === undefined) {
          innerOpen = false;
          return;
        }
        this.#checkKilled();
        yield batch;
      }
    } finally {
      if (innerOpen) it.return?.();
    }
  }

  *#read<T>(inner: Iterable<T[]>, source: OpenSource): Generator<T[]> {
    // Not resetting #inFlight when this ends: a failing consumer closes this generator on its way
    // out, and the record in flight is what the failure is pinned to.
    // The consumer asks for more: the record handed out last is done with.
    for (const batch of this.#batches(inner, source, () => (this.#inFlight = -1))) {
      if (!this.#isolate) {
        const first = this.#nextPosition;
        this.#nextPosition += batch.length;
        const kept = this.#skip.size === 0 ? batch : this.#dropSkipped(batch, first);
        if (kept.length > 0) yield kept;
        continue;
      }
      for (let i = 0; i < batch.length; i++) {
        const position = this.#nextPosition++;
        if (this.#skip.has(position)) {
          this.#skippedRecords++;
          continue;
        }
        if (i > 0) this.#checkKilled();
        this.#inFlight = position;
        yield [batch[i]!];
      }
    }
  }

  #dropSkipped<T>(batch: T[], first: number): T[] {
    const kept: T[] = [];
    for (let i = 0; i < batch.length; i++) {
      if (this.#skip.has(first + i)) this.#skippedRecords++;
      else kept.push(batch[i]!);
    }
    return kept;
  }
}
