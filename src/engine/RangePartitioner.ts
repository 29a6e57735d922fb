import type { Closure } from '../common/closure/Closure.js';
import { UserInputError } from '../common/errors/UserInputError.js';
import { compareKeys } from '../common/keys/compareKeys.js';
import type { Partitioner, PartitionerWire } from './Partitioner.js';

export type KeyComparator = (a: never, b: never) => number;

/**
 * Places keys into sorted, contiguous ranges (for sortByKey). The bounds come from sampling
 * the data, which needs a job, so they may be set after construction: directly
 * (`setBounds`), or by `prepare()` from a source given to `computeBoundsWith`, before any
 * task or driver code uses the partitioner.
 */
export class RangePartitioner implements Partitioner {
  #bounds: readonly unknown[] | undefined;
  #boundsSource: (() => Promise<readonly unknown[]>) | undefined;
  #preparing: Promise<void> | undefined;
  readonly #compare: (a: unknown, b: unknown) => number;

  constructor(
    readonly numPartitions: number,
    readonly ascending: boolean,
    readonly comparator: Closure<KeyComparator> | undefined,
    bounds?: readonly unknown[],
  ) {
    this.#bounds = bounds;
    this.#compare = (comparator?.fn as ((a: unknown, b: unknown) => number) | undefined) ?? compareKeys;
  }

  get bounds(): readonly unknown[] | undefined {
    return this.#bounds;
  }

  setBounds(bounds: readonly unknown[]): void {
    this.#bounds = bounds;
  }

  /** Driver side: how `prepare()` computes the bounds (sortByKey samples its input). */
  computeBoundsWith(source: () => Promise<readonly unknown[]>): void {
    this.#boundsSource = source;
  }

  /** Computes the bounds once, if they are not set yet; a failed attempt may be retried. */
  prepare(): Promise<void> {
    if (this.#bounds !== undefined) return Promise.resolve();
    const source = this.#boundsSource;
    if (source === undefined) {
      return Promise.reject(new UserInputError('this RangePartitioner has no bounds: pass them to its constructor, e.g. new RangePartitioner(3, true, undefined, [10, 20])'));
    }
    this.#preparing ??= source().then(
      (bounds) => {
        this.#bounds ??= bounds;
      },
      (error: unknown) => {
        this.#preparing = undefined;
        throw error;
      },
    );
    return this.#preparing;
  }

  getPartition(key: unknown): number {
    const bounds = this.#bounds;
    if (bounds === undefined) throw new Error('internal: RangePartitioner used before its bounds were computed');
    // First bound >= key (binary search); keys above every bound go to the last range.
    let lo = 0;
    let hi = bounds.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.#compare(bounds[mid], key) < 0) lo = mid + 1;
      else hi = mid;
    }
    const p = Math.min(lo, this.numPartitions - 1);
    return this.ascending ? p : this.numPartitions - 1 - p;
  }

  equals(other: Partitioner | undefined): boolean {
    if (other === this) return true;
    if (!(other instanceof RangePartitioner)) return false;
    const a = this.#bounds;
    const b = other.#bounds;
    if (a === undefined || b === undefined || a.length !== b.length) return false;
    if (this.ascending !== other.ascending || this.numPartitions !== other.numPartitions) return false;
    if (this.comparator?.serialized.source !== other.comparator?.serialized.source) return false;
    return a.every((x, i) => this.#compare(x, b[i]) === 0);
  }

  toWire(): PartitionerWire {
    if (this.#bounds === undefined) throw new Error('internal: RangePartitioner shipped before its bounds were computed');
    return {
      kind: 'range',
      numPartitions: this.numPartitions,
      bounds: this.#bounds,
      ascending: this.ascending,
      comparator: this.comparator?.serialized,
    };
  }
}
